using System.Text.Json.Nodes;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Transactions;
using OpenSma.Storage.Objects;

namespace OpenSma.Engine.Actions;

/// <summary>Starts recording a leg to a bucket (spec §7.9); the file is written at stop or leg end.</summary>
internal sealed class StartCallRecordingExecutor : IActionExecutor
{
    public string Type => ActionTypes.StartCallRecording;

    public ActionTraits Traits => ActionTraits.Reporting;

    public async ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        context.WriteCombinedError = true;
        var p = context.Request.Bind(ActionParametersJsonContext.Default.StartCallRecordingParameters);
        if (p is null || context.ResolveTarget(p, LegSelection.CallIdRequired) is not null)
        {
            return ActionError.Invalid("CallId parameter for action is invalid");
        }

        RecordingTrack? track = p.Track switch
        {
            "INCOMING" => RecordingTrack.Incoming,
            "OUTGOING" => RecordingTrack.Outgoing,
            "BOTH" => RecordingTrack.Both,
            _ => null,
        };
        if (track is null)
        {
            return ActionError.Invalid("Track parameter value is invalid.");
        }

        if (p.Destination is not { Type: "S3", Location: { } location })
        {
            return ActionError.Invalid("Destination parameter value is invalid.");
        }

        var slash = location.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? location : location[..slash];
        var prefix = slash < 0 ? null : location[(slash + 1)..];
        if (!FolderObjectStore.IsValidBucket(bucket) || (prefix is { Length: > 0 } && !FolderObjectStore.IsValidKey(prefix.TrimEnd('/') + "/x")))
        {
            return new ActionError("NoAccessToDestination", "Error while accessing destination");
        }

        bool bucketExists;
        using (context.Services.Activity.BeginExternal())
        {
            bucketExists = await context.Services.Objects.BucketExistsAsync(bucket, cancellationToken);
        }

        if (!bucketExists || !context.Services.Objects.AccessOf(bucket).SmaWrite)
        {
            return new ActionError("NoAccessToDestination", "Error while accessing destination");
        }

        var slot = context.Target!;
        if (slot.RecordingStarted)
        {
            // Recording can be started and stopped only once per leg (spec §7.9).
            return ActionError.Invalid("Call recording can be started only once per leg.");
        }

        var transaction = context.Transaction;
        var key = CallRecording.KeyFor(prefix, slot.Leg.StartTime, transaction.TransactionId, slot.CallId);
        slot.RecordingStarted = true;
        slot.Recording = new CallRecording(slot.Leg, transaction.TransactionId, track.Value, bucket, key, context.Services.Objects, context.Services.Activity);
        context.Result("CallRecordingDestination", new JsonObject { ["Type"] = "S3", ["Location"] = $"{bucket}/{key}" });
        return null;
    }
}
