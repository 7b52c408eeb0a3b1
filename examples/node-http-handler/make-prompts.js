// Writes the prompts the example plays into a bucket folder of OpenSMA's data directory, as
// 8 kHz 16-bit mono WAV tones of different pitch and length (swap in real recordings freely).
//   node make-prompts.js [DATA_DIR]      # default ./.opensma
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dataDir = process.argv[2] || './.opensma';
const bucket = path.join(dataDir, 'buckets', process.env.PROMPTS_BUCKET || 'prompts-bucket');
fs.mkdirSync(bucket, { recursive: true });

function tone(seconds, hz) {
  const rate = 8000;
  const n = Math.round(seconds * rate);
  const wav = Buffer.alloc(44 + n * 2);
  wav.write('RIFF', 0); wav.writeUInt32LE(36 + n * 2, 4); wav.write('WAVE', 8);
  wav.write('fmt ', 12); wav.writeUInt32LE(16, 16); wav.writeUInt16LE(1, 20); wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24); wav.writeUInt32LE(rate * 2, 28); wav.writeUInt16LE(2, 32); wav.writeUInt16LE(16, 34);
  wav.write('data', 36); wav.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) wav.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 12000), 44 + i * 2);
  return wav;
}

const prompts = { 'welcome.wav': [1.0, 440], 'menu.wav': [1.5, 523], 'retry.wav': [0.8, 330], 'connecting.wav': [0.6, 660], 'goodbye.wav': [0.7, 392] };
for (const [name, [seconds, hz]] of Object.entries(prompts)) {
  fs.writeFileSync(path.join(bucket, name), tone(seconds, hz));
}
console.log(`wrote ${Object.keys(prompts).length} prompts to ${bucket}`);
