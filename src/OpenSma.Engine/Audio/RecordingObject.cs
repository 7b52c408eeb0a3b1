using System.Globalization;
using OpenSma.Media.Audio;
using OpenSma.Storage.Objects;

namespace OpenSma.Engine.Audio;

/// <summary>
/// How every recording the engine makes (RecordAudio, StartCallRecording) becomes an object: the
/// WAV from <see cref="WavWriter"/>, the metadata of spec §11.2, one put while the virtual clock
/// waits for it. One place, so the two recording paths cannot drift apart.
/// </summary>
internal static class RecordingObject
{
    /// <summary>The §11.2 metadata: transaction, call, duration in seconds, format.</summary>
    public static ObjectMetadata Metadata(string transactionId, string callId, int samples) =>
        ObjectMetadata.Wav(new Dictionary<string, string>
        {
            ["transaction-id"] = transactionId,
            ["call-id"] = callId,
            ["recording-duration"] = (samples / (double)PcmAudio.SampleRate).ToString("0.###", CultureInfo.InvariantCulture),
            ["recording-audio-file-format"] = "audio/wav",
        });

    public static Task<ObjectWriteResult> PutMonoAsync(
        IObjectStore store, Runtime.ActivityTracker activity, string bucket, string key, string transactionId, string callId, ReadOnlySpan<short> samples) =>
        PutAsync(store, activity, bucket, key, WavWriter.WriteMono(samples), Metadata(transactionId, callId, samples.Length));

    /// <summary>Two channels of equal length (incoming left, outgoing right).</summary>
    public static Task<ObjectWriteResult> PutStereoAsync(
        IObjectStore store, Runtime.ActivityTracker activity, string bucket, string key, string transactionId, string callId, ReadOnlySpan<short> left, ReadOnlySpan<short> right) =>
        PutAsync(store, activity, bucket, key, WavWriter.WriteStereo(left, right), Metadata(transactionId, callId, Math.Max(left.Length, right.Length)));

    // Not resumed on the caller's context: a call recording is finished when its transaction ends,
    // and the closed mailbox would never run the continuation (nor drop the busy mark). A caller
    // on the mailbox that waits for the result holds its own busy mark around the await.
    private static async Task<ObjectWriteResult> PutAsync(
        IObjectStore store, Runtime.ActivityTracker activity, string bucket, string key, byte[] wav, ObjectMetadata metadata)
    {
        using var busy = activity.BeginExternal();
        return await store.PutAsync(bucket, key, wav, metadata, CancellationToken.None).ConfigureAwait(false);
    }
}
