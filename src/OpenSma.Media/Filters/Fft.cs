namespace OpenSma.Media.Filters;

/// <summary>In-place iterative radix-2 complex FFT of one fixed size, with precomputed twiddles and bit reversal.</summary>
internal sealed class Fft
{
    private readonly int _size;
    private readonly float[] _cos;
    private readonly float[] _sin;
    private readonly int[] _reverse;

    public Fft(int size)
    {
        if (size < 2 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The FFT size must be a power of two.");
        }

        _size = size;
        _cos = new float[size / 2];
        _sin = new float[size / 2];
        for (var i = 0; i < size / 2; i++)
        {
            _cos[i] = (float)Math.Cos(-2 * Math.PI * i / size);
            _sin[i] = (float)Math.Sin(-2 * Math.PI * i / size);
        }

        _reverse = new int[size];
        var bits = System.Numerics.BitOperations.Log2((uint)size);
        for (var i = 0; i < size; i++)
        {
            var r = 0;
            for (var b = 0; b < bits; b++)
            {
                r |= ((i >> b) & 1) << (bits - 1 - b);
            }

            _reverse[i] = r;
        }
    }

    public int Size => _size;

    /// <summary>Forward transform, X[k] = sum x[n] e^(-2 pi i k n / N), unscaled.</summary>
    public void Forward(Span<float> re, Span<float> im)
    {
        if (re.Length != _size || im.Length != _size)
        {
            throw new ArgumentException("Both spans must have the FFT's size.");
        }

        for (var i = 0; i < _size; i++)
        {
            var j = _reverse[i];
            if (j > i)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }

        for (var length = 2; length <= _size; length <<= 1)
        {
            var half = length >> 1;
            var step = _size / length;
            for (var start = 0; start < _size; start += length)
            {
                for (var k = 0; k < half; k++)
                {
                    var wr = _cos[k * step];
                    var wi = _sin[k * step];
                    var a = start + k;
                    var b = a + half;
                    var tr = (re[b] * wr) - (im[b] * wi);
                    var ti = (re[b] * wi) + (im[b] * wr);
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }

    /// <summary>Inverse transform scaled by 1/N, through the conjugate of the forward one.</summary>
    public void Inverse(Span<float> re, Span<float> im)
    {
        for (var i = 0; i < _size; i++)
        {
            im[i] = -im[i];
        }

        Forward(re, im);
        var scale = 1f / _size;
        for (var i = 0; i < _size; i++)
        {
            re[i] *= scale;
            im[i] = -im[i] * scale;
        }
    }
}
