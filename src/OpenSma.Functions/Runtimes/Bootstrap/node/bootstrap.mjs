// OpenSMA's Node.js runtime interface client: speaks the Lambda Runtime API (2018-06-01)
// at AWS_LAMBDA_RUNTIME_API and runs the handler named by _HANDLER from LAMBDA_TASK_ROOT,
// with Lambda's context object, callback and async semantics, and error shapes.
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const [apiHost, apiPort] = api.split(':');
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const handlerSpec = process.env._HANDLER || '';
const MARKER = '\u001eOPENSMA-END ';

let currentRequestId;

// Lambda's console: every line carries the time, the request id and the level.
function patchConsole() {
  const write = (fd, level) => (...args) => {
    const text = util.format(...args).replace(/\n/g, '\r');
    fs.writeSync(fd, `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${text}\n`);
  };
  console.log = write(1, 'INFO');
  console.info = write(1, 'INFO');
  console.debug = write(1, 'DEBUG');
  console.warn = write(2, 'WARN');
  console.error = write(2, 'ERROR');
  console.trace = write(2, 'TRACE');
}

// The Runtime API is spoken over one kept-alive loopback connection with a minimal HTTP/1.1
// client: Node's http module costs about half a millisecond per exchange here, more than the
// rest of a warm invocation (AWS's own Node runtime client uses a native HTTP client for the
// same reason). One request at a time, as the runtime loop needs.
let connection = null;

function connect() {
  const socket = net.connect({ host: apiHost, port: Number(apiPort), noDelay: true });
  const state = { socket, chunks: [], length: 0, waiting: null };
  socket.on('data', (data) => {
    state.chunks.push(data);
    state.length += data.length;
    drainResponse(state);
  });
  const fail = (err) => {
    if (connection === state) connection = null;
    const waiting = state.waiting;
    state.waiting = null;
    if (waiting) waiting.reject(err || new Error('Runtime API connection closed'));
  };
  socket.on('error', fail);
  socket.on('close', () => fail(null));
  return state;
}

function drainResponse(state) {
  if (!state.waiting) return;
  const data = state.chunks.length === 1 ? state.chunks[0] : Buffer.concat(state.chunks, state.length);
  state.chunks = [data];
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
  }
  let body;
  let consumed;
  if (/chunked/i.test(headers['transfer-encoding'] || '')) {
    const parts = [];
    let at = end + 4;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', at);
      if (lineEnd < 0) return;
      const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
      if (data.length < lineEnd + 2 + size + 2) return;
      if (size === 0) { consumed = lineEnd + 4; break; }
      parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else {
    const length = Number(headers['content-length'] || 0);
    if (data.length < end + 4 + length) return;
    body = data.subarray(end + 4, end + 4 + length);
    consumed = end + 4 + length;
  }
  const rest = data.subarray(consumed);
  state.chunks = rest.length ? [rest] : [];
  state.length = rest.length;
  const waiting = state.waiting;
  state.waiting = null;
  // An idle connection must not keep the event loop alive: callbackWaitsForEmptyEventLoop waits for it to drain.
  state.socket.unref();
  waiting.resolve({ status, headers, body: Buffer.from(body) });
}

function request(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    if (!connection) connection = connect();
    const state = connection;
    state.waiting = { resolve, reject };
    state.socket.ref();
    const payload = body === undefined ? null : Buffer.from(body);
    let head = `${method} ${urlPath} HTTP/1.1\r\nHost: ${api}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    if (payload) head += `Content-Length: ${payload.length}\r\n`;
    head += '\r\n';
    state.socket.write(payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : Buffer.from(head, 'latin1'));
  });
}

function errorShape(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || 'Error',
      errorMessage: err.message ?? String(err),
      trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  if (typeof err === 'object' && err !== null) {
    return { errorType: 'Error', errorMessage: JSON.stringify(err), trace: [] };
  }
  return { errorType: 'string', errorMessage: String(err), trace: [] };
}

function endMarkers(requestId) {
  fs.writeSync(1, MARKER + requestId + '\n');
  fs.writeSync(2, MARKER + requestId + '\n');
}

async function postInitError(errorType, err) {
  const shape = { ...errorShape(err), errorType };
  fs.writeSync(2, `${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify(shape)}\n`);
  await request('POST', '/2018-06-01/runtime/init/error', JSON.stringify(shape), {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': errorType,
  });
  process.exit(129);
}

function findModule(moduleSpec) {
  const base = path.resolve(taskRoot, moduleSpec);
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (fs.existsSync(base + ext)) return base + ext;
  }
  return undefined;
}

function isEsm(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try { return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module'; } catch { return false; }
    }
    if (dir === path.dirname(dir) || !dir.startsWith(path.resolve(taskRoot))) return false;
  }
}

async function loadHandler() {
  const dot = handlerSpec.lastIndexOf('.');
  if (dot <= 0) {
    const e = new Error(`Bad handler ${handlerSpec}`);
    e.name = 'Runtime.MalformedHandlerName';
    throw Object.assign(e, { lambdaType: 'Runtime.MalformedHandlerName' });
  }
  const moduleSpec = handlerSpec.slice(0, dot);
  const path_ = handlerSpec.slice(dot + 1).split('.');
  const file = findModule(moduleSpec);
  if (!file) {
    const e = new Error(`Cannot find module '${moduleSpec}'`);
    e.name = 'Runtime.ImportModuleError';
    throw Object.assign(e, { lambdaType: 'Runtime.ImportModuleError' });
  }
  let mod;
  try {
    mod = isEsm(file) ? await import(pathToFileURL(file).href) : createRequire(file)(file);
  } catch (err) {
    const type = err instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError';
    throw Object.assign(err, { lambdaType: type });
  }
  let fn = mod;
  for (const part of path_) fn = fn?.[part];
  if (fn === undefined && mod?.default) {
    fn = mod.default;
    for (const part of path_) fn = fn?.[part];
  }
  if (typeof fn !== 'function') {
    const e = new Error(`${handlerSpec} is undefined or not exported`);
    e.name = 'Runtime.HandlerNotFound';
    throw Object.assign(e, { lambdaType: 'Runtime.HandlerNotFound' });
  }
  return fn;
}

function makeContext(headers, finish) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const ctx = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: headers['lambda-runtime-client-context']
      ? JSON.parse(headers['lambda-runtime-client-context']) : undefined,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    done: (err, result) => finish(err, result, false),
    succeed: (result) => finish(null, result, false),
    fail: (err) => finish(err ?? 'handled', undefined, false),
  };
  return ctx;
}

async function postResult(requestId, err, result) {
  endMarkers(requestId);
  if (err !== null && err !== undefined) {
    const shape = errorShape(err);
    fs.writeSync(2, `${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(shape)}\n`);
    await request('POST', `/2018-06-01/runtime/invocation/${requestId}/error`, JSON.stringify(shape), {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Function-Error-Type': 'Unhandled',
    });
    return;
  }
  let body;
  try {
    body = result === undefined ? 'null' : JSON.stringify(result);
  } catch (e) {
    const shape = { errorType: 'Runtime.SerializationError', errorMessage: String(e.message), trace: [] };
    await request('POST', `/2018-06-01/runtime/invocation/${requestId}/error`, JSON.stringify(shape), {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Function-Error-Type': 'Runtime.SerializationError',
    });
    return;
  }
  await request('POST', `/2018-06-01/runtime/invocation/${requestId}/response`, body, { 'Content-Type': 'application/json' });
}

let failCurrent = null;

function runOne(handler, next) {
  return new Promise((resolve) => {
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] || '';
    let finished = false;
    // A pending handler promise is not work to Node's event loop: without this timer a handler
    // that never settles would let the process exit instead of running into its timeout.
    const keepAlive = setInterval(() => {}, 1 << 30);
    const finish = (err, result, fromCallback) => {
      if (finished) return;
      finished = true;
      clearInterval(keepAlive);
      const post = () => postResult(requestId, err, result).then(resolve, resolve);
      if (fromCallback && context.callbackWaitsForEmptyEventLoop) {
        // Lambda answers a callback only once the event loop has drained.
        process.once('beforeExit', post);
      } else {
        post();
      }
    };
    failCurrent = (err) => finish(err, undefined, false);
    const context = makeContext(next.headers, finish);
    let event;
    try {
      event = JSON.parse(next.body.toString('utf8'));
    } catch (e) {
      finish(e, undefined, false);
      return;
    }
    try {
      const callback = (err, result) => finish(err, result, true);
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') {
        returned.then((r) => finish(null, r, false), (e) => finish(e ?? new Error('rejected'), undefined, false));
      } else if (handler.length < 3) {
        finish(null, returned, false);
      }
    } catch (e) {
      finish(e, undefined, false);
    }
  });
}

process.on('uncaughtException', (err) => {
  fs.writeSync(2, `${new Date().toISOString()}\t${currentRequestId}\tERROR\tUncaught Exception \t${JSON.stringify(errorShape(err))}\n`);
  if (failCurrent) failCurrent(err);
  setTimeout(() => process.exit(129), 50);
});
process.on('unhandledRejection', (reason) => {
  const err = reason instanceof Error ? reason : new Error(String(reason));
  err.name = 'Runtime.UnhandledPromiseRejection';
  fs.writeSync(2, `${new Date().toISOString()}\t${currentRequestId}\tERROR\tUnhandled Promise Rejection \t${JSON.stringify(errorShape(err))}\n`);
  if (failCurrent) failCurrent(err);
  setTimeout(() => process.exit(128), 50);
});

patchConsole();
let handler;
try {
  handler = await loadHandler();
} catch (err) {
  await postInitError(err.lambdaType || 'Runtime.ImportModuleError', err);
}

for (;;) {
  const next = await request('GET', '/2018-06-01/runtime/invocation/next');
  if (next.status !== 200) process.exit(0);
  await runOne(handler, next);
  failCurrent = null;
}
