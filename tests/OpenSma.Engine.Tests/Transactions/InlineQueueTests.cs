using OpenSma.Engine.Transactions;

namespace OpenSma.Engine.Tests.Transactions;

public sealed class InlineQueueTests
{
    [Fact]
    public void EnqueueAndDequeue_Interleaved_KeepFirstInFirstOut()
    {
        var queue = default(InlineQueue<string>);
        var taken = new List<string>();
        queue.Enqueue("a");
        queue.Enqueue("b");
        Take(ref queue, taken);
        queue.Enqueue("c");
        queue.Enqueue("d");
        Assert.Equal(3, queue.Count);
        Take(ref queue, taken);
        Take(ref queue, taken);
        queue.Enqueue("e");
        while (queue.Count > 0)
        {
            Take(ref queue, taken);
        }

        Assert.Equal(["a", "b", "c", "d", "e"], taken);
        Assert.False(queue.TryDequeue(out _));
    }

    [Fact]
    public void Clear_EmptiesTheQueue_AndItIsUsableAgain()
    {
        var queue = default(InlineQueue<string>);
        queue.Enqueue("a");
        queue.Enqueue("b");
        queue.Enqueue("c");
        queue.Clear();
        Assert.Equal(0, queue.Count);
        Assert.False(queue.TryDequeue(out _));

        queue.Enqueue("d");
        Assert.True(queue.TryDequeue(out var item));
        Assert.Equal("d", item);
    }

    private static void Take(ref InlineQueue<string> queue, List<string> taken)
    {
        Assert.True(queue.TryDequeue(out var item));
        taken.Add(item);
    }
}
