using System.Text;

namespace OpenSma.Speech.Ssml;

/// <summary>
/// Collects text and pauses in speaking order: merges neighbours that read the same way,
/// collapses white space, and places paragraph and sentence pauses only between spoken pieces.
/// </summary>
internal sealed class ScriptBuilder
{
    private readonly List<ScriptPart> _parts = [];
    private readonly StringBuilder _text = new();
    private SayAs _mode;
    private Prosody _prosody;
    private TimeSpan _pendingBoundary;

    public void AddText(string text, SayAs mode, Prosody prosody)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (_text.Length > 0)
            {
                _text.Append(' ');
            }

            return;
        }

        if (_text.Length > 0 && (mode != _mode || prosody != _prosody))
        {
            FlushText();
        }

        if (_pendingBoundary > TimeSpan.Zero)
        {
            FlushText();
            if (HasSpeech)
            {
                AddPause(_pendingBoundary);
            }

            _pendingBoundary = TimeSpan.Zero;
        }

        _mode = mode;
        _prosody = prosody;
        _text.Append(text);
    }

    /// <summary>An explicit <c>break</c>: always kept, even at the start or the end.</summary>
    public void AddBreak(TimeSpan duration)
    {
        FlushText();
        _pendingBoundary = TimeSpan.Zero;
        if (duration > TimeSpan.Zero)
        {
            AddPause(duration);
        }
    }

    /// <summary>The end of a sentence or paragraph: a pause if more speech follows.</summary>
    public void AddBoundary(TimeSpan duration)
    {
        if (duration > _pendingBoundary)
        {
            _pendingBoundary = duration;
        }
    }

    public SpeechScript Build()
    {
        FlushText();
        return new SpeechScript([.. _parts]);
    }

    private bool HasSpeech => _parts.Exists(p => p is SpokenText);

    private void AddPause(TimeSpan duration)
    {
        if (_parts.Count > 0 && _parts[^1] is ScriptPause previous)
        {
            _parts[^1] = new ScriptPause(previous.Duration + duration);
        }
        else
        {
            _parts.Add(new ScriptPause(duration));
        }
    }

    private void FlushText()
    {
        if (_text.Length == 0)
        {
            return;
        }

        var collapsed = string.Join(' ', _text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        _text.Clear();
        if (collapsed.Length > 0)
        {
            _parts.Add(new SpokenText(collapsed, _mode, _prosody));
        }
    }
}
