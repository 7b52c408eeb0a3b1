namespace OpenSma.Media.Filters;

/// <summary>
/// FFT of N real samples through one complex FFT of N/2 points (even samples as the real part,
/// odd samples as the imaginary part, then one butterfly pass to separate them): half the work
/// of a complex N-point transform. Gives bins 0..N/2; the rest are their conjugates.
/// </summary>
internal sealed class RealFft
{
    private readonly int _size;
    private readonly int _half;
    private readonly Fft _fft;
    private readonly float[] _zr;
    private readonly float[] _zi;
    private readonly float[] _cos;
    private readonly float[] _sin;

    public RealFft(int size)
    {
        if (size < 4 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The FFT size must be a power of two, at least 4.");
        }

        _size = size;
        _half = size / 2;
        _fft = new Fft(_half);
        _zr = new float[_half];
        _zi = new float[_half];
        _cos = new float[_half + 1];
        _sin = new float[_half + 1];
        for (var k = 0; k <= _half; k++)
        {
            _cos[k] = (float)Math.Cos(-2 * Math.PI * k / size);
            _sin[k] = (float)Math.Sin(-2 * Math.PI * k / size);
        }
    }

    public int Size => _size;

    /// <summary>Number of bins produced: N/2 + 1.</summary>
    public int Bins => _half + 1;

    /// <summary>X[k] = sum x[n] e^(-2 pi i k n / N) for k = 0..N/2, unscaled.</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> re, Span<float> im)
    {
        if (input.Length != _size || re.Length < Bins || im.Length < Bins)
        {
            throw new ArgumentException("The input must have the FFT's size and the outputs N/2 + 1 bins.");
        }

        for (var m = 0; m < _half; m++)
        {
            _zr[m] = input[2 * m];
            _zi[m] = input[(2 * m) + 1];
        }

        _fft.Forward(_zr, _zi);
        for (var k = 0; k <= _half; k++)
        {
            var a = k % _half;
            var b = (_half - k) % _half;
            var evenRe = (_zr[a] + _zr[b]) * 0.5f;
            var evenIm = (_zi[a] - _zi[b]) * 0.5f;
            var oddRe = (_zi[a] + _zi[b]) * 0.5f;
            var oddIm = (_zr[b] - _zr[a]) * 0.5f;
            re[k] = evenRe + (_cos[k] * oddRe) - (_sin[k] * oddIm);
            im[k] = evenIm + (_cos[k] * oddIm) + (_sin[k] * oddRe);
        }
    }

    /// <summary>The exact inverse of <see cref="Forward"/> (scaled by 1/N) from bins 0..N/2.</summary>
    public void Inverse(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> output)
    {
        if (output.Length != _size || re.Length < Bins || im.Length < Bins)
        {
            throw new ArgumentException("The output must have the FFT's size and the inputs N/2 + 1 bins.");
        }

        for (var k = 0; k < _half; k++)
        {
            var b = _half - k;
            var evenRe = (re[k] + re[b]) * 0.5f;
            var evenIm = (im[k] - im[b]) * 0.5f;
            var diffRe = re[k] - re[b];
            var diffIm = im[k] + im[b];

            // Odd part: the difference turned back by the conjugate twiddle.
            var oddRe = ((diffRe * _cos[k]) + (diffIm * _sin[k])) * 0.5f;
            var oddIm = ((diffIm * _cos[k]) - (diffRe * _sin[k])) * 0.5f;
            _zr[k] = evenRe - oddIm;
            _zi[k] = evenIm + oddRe;
        }

        _fft.Inverse(_zr, _zi);
        for (var m = 0; m < _half; m++)
        {
            output[2 * m] = _zr[m];
            output[(2 * m) + 1] = _zi[m];
        }
    }
}
