using OpenSma.Engine.Contracts;
using OpenSma.Media.Audio;
using OpenSma.Storage.Objects;

namespace OpenSma.Engine.Audio;

/// <summary>
/// Turns an action's <c>AudioSource</c> into decoded 8 kHz audio: checks the source fields, reads
/// the object from the store and decodes it once per ETag, shared by every call (spec §11.1).
/// A HEAD finds the current ETag, so an overwritten prompt is heard on the next play. The HEAD may
/// be answered from the store's recent results (<see cref="ObjectStoreExtensions.HeadRecentAsync"/>):
/// an object written or deleted through OpenSMA is seen at once, a file changed in the folder store
/// by other means after the store's freshness window (1 s by default).
/// </summary>
internal sealed class AudioSourceLoader(IObjectStore objects, PromptCache cache, Runtime.ActivityTracker activity)
{
    public readonly record struct Loaded(PcmAudio? Audio, ActionError? Error);

    /// <param name="invalid">The error for missing or malformed source fields (RingbackTone has its own message).</param>
    public async ValueTask<Loaded> LoadAsync(S3AudioSource? source, ActionError invalid, CancellationToken cancellationToken)
    {
        if (source is null || source.Type != "S3" || source.BucketName is null || source.Key is null)
        {
            return new(null, invalid);
        }

        // A bucket whose policy does not let SMAs read it (spec §11.1): same answer as a missing object.
        if (!objects.AccessOf(source.BucketName).SmaRead)
        {
            return new(null, ActionError.AudioSourceInaccessible);
        }

        // Store I/O runs in real time: virtual time waits for it.
        using var busy = activity.BeginExternal();
        var head = await objects.HeadRecentAsync(source.BucketName, source.Key, cancellationToken);
        if (head.Status != ObjectStatus.Ok)
        {
            return new(null, ActionError.AudioSourceInaccessible);
        }

        // Keyed by ETag: a changed object is decoded again, an unchanged one is shared.
        var cacheKey = $"{source.BucketName}/{source.Key}#{head.ETag}";
        var inaccessible = false;
        var decoded = await cache.GetOrDecodeAsync(
            cacheKey,
            async ct =>
            {
                var read = await objects.GetAsync(source.BucketName, source.Key, ct);
                inaccessible = read.Status != ObjectStatus.Ok;
                return inaccessible ? null : read.Content;
            },
            cancellationToken);
        if (decoded.Audio is { } audio)
        {
            return new(audio, null);
        }

        return new(null, inaccessible ? ActionError.AudioSourceInaccessible : ActionError.AudioSourceInvalid);
    }
}
