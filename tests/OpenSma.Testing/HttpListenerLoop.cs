using System.Net;

namespace OpenSma.Testing;

/// <summary>The accept loop of a small HTTP server a test runs (an SMA handler, a stub service) on an <see cref="HttpListener"/>.</summary>
public static class HttpListenerLoop
{
    /// <summary>
    /// Takes requests from <paramref name="listener"/> and awaits <paramref name="handle"/> for each
    /// until the listener stops; an accept that fails while it still listens is skipped. To answer
    /// requests in parallel, start the loop several times or let <paramref name="handle"/> hand the
    /// request off.
    /// </summary>
    public static async Task ServeAsync(HttpListener listener, Func<HttpListenerContext, Task> handle)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(handle);
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (!listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                continue;
            }

            await handle(context);
        }
    }
}
