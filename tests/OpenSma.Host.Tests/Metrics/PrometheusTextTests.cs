using OpenSma.Host.Metrics;

namespace OpenSma.Host.Tests.Metrics;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Family_LabelledSamples_WritesHelpTypeAndEscapedLabels()
    {
        var text = new PrometheusText();
        text.Family("opensma_things_total", "counter", "Things, by kind.\nSecond line \\ here.",
            [([KeyValuePair.Create("kind", "a\"b\\c\nd")], 3), ([KeyValuePair.Create("kind", "plain")], 0.25)]);

        Assert.Equal(
            "# HELP opensma_things_total Things, by kind.\\nSecond line \\\\ here.\n" +
            "# TYPE opensma_things_total counter\n" +
            "opensma_things_total{kind=\"a\\\"b\\\\c\\nd\"} 3\n" +
            "opensma_things_total{kind=\"plain\"} 0.25\n",
            text.ToString());
    }

    [Fact]
    public void Summary_SumAndCount_WrittenUnderTheFamily()
    {
        var text = new PrometheusText();
        text.Gauge("g", "A gauge.", 7);
        text.Summary("d_seconds", "Durations.", 1.5, 4);

        Assert.Equal("# HELP g A gauge.\n# TYPE g gauge\ng 7\n# HELP d_seconds Durations.\n# TYPE d_seconds summary\nd_seconds_sum 1.5\nd_seconds_count 4\n", text.ToString());
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(-12, "-12")]
    [InlineData(1234567890123, "1234567890123")]
    [InlineData(0.1, "0.1")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Format_Values_PrometheusSpelling(double value, string expected) => Assert.Equal(expected, PrometheusText.Format(value));

    [Theory]
    [InlineData("")]
    [InlineData("9lives")]
    [InlineData("has-dash")]
    public void Gauge_InvalidName_Throws(string name) => Assert.Throws<ArgumentException>(() => new PrometheusText().Gauge(name, "x", 1));

    [Fact]
    public void Gauge_SameNameTwice_Throws()
    {
        var text = new PrometheusText();
        text.Gauge("twice", "x", 1);
        Assert.Throws<ArgumentException>(() => text.Counter("twice", "x", 1));
    }
}
