using System.Buffers;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Legs;
using OpenSma.Media.Audio;
using OpenSma.Storage.Objects;

namespace OpenSma.Engine.Actions;

/// <summary>
/// Records what the far end of a leg says until the duration, a terminator digit or silence ends
/// it, then writes an 8 kHz 16-bit mono WAV to the destination bucket (spec §7.8, §11.2).
/// </summary>
internal sealed class RecordAudioExecutor : IActionExecutor
{
    public const int MaxPrefixBytes = 979;

    public string Type => ActionTypes.RecordAudio;

    public ActionTraits Traits => ActionTraits.Reporting | ActionTraits.Interruptible;

    public async ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.RecordAudioParameters);
        if (p is null || context.ResolveTarget(p, LegSelection.Optional) is not null)
        {
            return ActionError.InvalidLeg;
        }

        if (p.RecordingDestination is not { Type: "S3", BucketName: { } bucket } destination
            || !FolderObjectStore.IsValidBucket(bucket)
            || (destination.Prefix is { } prefix && !IsSafePrefix(prefix)))
        {
            return ActionError.Invalid("RecordingDestination parameter value is invalid.");
        }

        if (p.DurationInSeconds.IsInvalid || (p.DurationInSeconds.HasValue && p.DurationInSeconds.Value <= 0))
        {
            return ActionError.Invalid("DurationInSeconds parameter value is invalid.");
        }

        if (p.SilenceDurationInSeconds.IsInvalid || p.SilenceDurationInSeconds.GetValueOrDefault(1) is < 1 or > 1000)
        {
            return ActionError.Invalid("SilenceDurationInSeconds parameter value is invalid.");
        }

        if (p.SilenceThreshold.IsInvalid || p.SilenceThreshold.GetValueOrDefault(200) is < 1 or > 1000)
        {
            return ActionError.Invalid("SilenceThreshold parameter value is invalid.");
        }

        if (p.RecordingTerminators is not { Count: > 0 } terminators || !Validation.AreDigitKeys(terminators))
        {
            return ActionError.Invalid("RecordingTerminators parameter value is invalid.");
        }

        var slot = context.Target!;
        context.Default("ParticipantTag", slot.Tag, p.ParticipantTag is not null);

        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var capture = new Capture(
            p.SilenceDurationInSeconds.HasValue
                ? new SilenceDetector((int)p.SilenceThreshold.GetValueOrDefault(200), TimeSpan.FromSeconds(p.SilenceDurationInSeconds.Value))
                : null,
            done.Cancel);
        string? terminatorUsed = null;
        using (slot.Leg.TapIncoming(capture))
        using (slot.AddDigitSink(new TerminatorSink(terminators, d =>
        {
            terminatorUsed ??= d.ToString();
            done.Cancel();
        })))
        {
            try
            {
                var limit = p.DurationInSeconds.HasValue ? TimeSpan.FromSeconds(p.DurationInSeconds.Value) : Timeout.InfiniteTimeSpan;
                await Task.Delay(limit, context.Time, done.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException) when (!slot.Ended)
            {
                // Interrupted by an update: nothing is kept (ACTION_INTERRUPTED reports it).
                throw;
            }
        }

        // Reached here by duration, terminator or silence; or the caller hung up, and a voicemail
        // left before a hang-up is still kept.
        var key = $"{destination.Prefix}{context.Transaction.TransactionId}_{slot.CallId}_{context.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}.wav";
        // A bucket that SMAs may not write to fails like an upload without s3:PutObject would.
        var written = new ObjectWriteResult(ObjectStatus.AccessDenied, null, "the bucket does not let SIP media applications write");
        if (context.Services.Objects.AccessOf(bucket).SmaWrite)
        {
            // Busy until this action has resumed on the mailbox: the virtual clock must not move in between.
            using (context.Services.Activity.BeginExternal())
            {
                written = await Audio.RecordingObject.PutMonoAsync(
                    context.Services.Objects, context.Services.Activity, bucket, key, context.Transaction.TransactionId, slot.CallId, capture.Samples);
            }
        }

        if (written.Status != ObjectStatus.Ok)
        {
            return ActionError.Invalid("Error occurred while uploading recording to S3 bucket.");
        }

        context.Result("RecordingDestination", new JsonObject { ["Type"] = "S3", ["BucketName"] = bucket, ["Key"] = key });
        if (terminatorUsed is not null)
        {
            context.Result("RecordingTerminatorUsed", terminatorUsed);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return null;
    }

    private static bool IsSafePrefix(string prefix) =>
        System.Text.Encoding.UTF8.GetByteCount(prefix) <= MaxPrefixBytes
        && FolderObjectStore.IsValidKey(prefix.TrimEnd('/') + "/x");

    /// <summary>Accumulates incoming frames and watches for silence.</summary>
    private sealed class Capture(SilenceDetector? silence, Action onSilence) : IAudioTap
    {
        private readonly ArrayBufferWriter<short> _samples = new(PcmAudio.SampleRate * 10);
        private bool _stopped;

        public ReadOnlySpan<short> Samples => _samples.WrittenSpan;

        public void OnFrame(ReadOnlySpan<short> frame)
        {
            if (_stopped)
            {
                return;
            }

            _samples.Write(frame);
            if (silence is not null && silence.Process(frame))
            {
                _stopped = true;
                onSilence();
            }
        }
    }
}
