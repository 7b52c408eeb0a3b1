using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Http;

/// <summary>
/// NextToken/MaxResults over the store's creation order. The token carries the sequence of the
/// last item returned, so pages stay correct while items are added or deleted between calls.
/// </summary>
internal static class Pagination
{
    private const string Prefix = "opensma:";

    public static (int MaxResults, long After) Read(HttpRequest request, int defaultMax, int max)
    {
        var maxResults = QueryReader.Int(request, "max-results", 1, max) ?? defaultMax;
        var token = QueryReader.String(request, "next-token");
        return (maxResults, string.IsNullOrEmpty(token) ? 0 : Decode(token));
    }

    /// <summary>Reads MaxResults/NextToken from the request and returns that page of the store's items of type T.</summary>
    public static async Task<(IReadOnlyList<T> Items, string? NextToken)> ListPageAsync<T>(HttpRequest request, IResourceStore store, int defaultMax, int max, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        var (maxResults, after) = Read(request, defaultMax, max);
        var stored = await store.ListAsync<T>(after, maxResults + 1, cancellationToken).ConfigureAwait(false);
        return Page(stored, after, maxResults);
    }

    public static (IReadOnlyList<T> Items, string? NextToken) Page<T>(IEnumerable<Stored<T>> ordered, long after, int maxResults)
    {
        var page = ordered.Where(s => s.Sequence > after).Take(maxResults + 1).ToList();
        var more = page.Count > maxResults;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        return (page.Select(s => s.Value).ToList(), more ? Encode(page[^1].Sequence) : null);
    }

    public static string Encode(long sequence) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + sequence.ToString(CultureInfo.InvariantCulture)));

    private static long Decode(string token)
    {
        if (token.Length > 65535)
        {
            throw JsonBody.Bad("NextToken must be at most 65535 characters long.");
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(Prefix, StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                return sequence;
            }
        }
        catch (FormatException)
        {
        }

        throw JsonBody.Bad("NextToken is not a token this service issued.");
    }
}
