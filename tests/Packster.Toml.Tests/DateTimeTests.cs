using Packster.Toml;

namespace Packster.Toml.Tests;

/// <summary>spec/toml.md §2 (normalised text), §5 Date-times (TOML 1.0.0 "Offset Date-Time" … "Local Time") and §6 (optional seconds, TOML 1.1.0).</summary>
public class DateTimeTests
{
    [Theory]
    [InlineData("1979-05-27T07:32:00Z", TomlDateTimeKind.OffsetDateTime, "1979-05-27T07:32:00Z")]
    [InlineData("1979-05-27T00:32:00.999999-07:00", TomlDateTimeKind.OffsetDateTime, "1979-05-27T00:32:00.999999-07:00")]
    [InlineData("1979-05-27 07:32:00z", TomlDateTimeKind.OffsetDateTime, "1979-05-27T07:32:00Z")]
    [InlineData("1979-05-27t07:32:00+05:30", TomlDateTimeKind.OffsetDateTime, "1979-05-27T07:32:00+05:30")]
    [InlineData("1979-05-27T07:32:00", TomlDateTimeKind.LocalDateTime, "1979-05-27T07:32:00")]
    [InlineData("1979-05-27 07:32:00.5", TomlDateTimeKind.LocalDateTime, "1979-05-27T07:32:00.5")]
    [InlineData("1979-05-27", TomlDateTimeKind.LocalDate, "1979-05-27")]
    [InlineData("07:32:00", TomlDateTimeKind.LocalTime, "07:32:00")]
    [InlineData("00:32:00.123456789012", TomlDateTimeKind.LocalTime, "00:32:00.123456789012")]
    public void Kinds_and_normalised_text(string toml, TomlDateTimeKind kind, string text)
    {
        var value = Toml.Value<TomlDateTime>($"v = {toml}");
        Assert.Equal(kind, value.Kind);
        Assert.Equal(text, value.Text);
    }

    [Theory]
    [InlineData("2000-02-29")]  // divisible by 400: leap
    [InlineData("2024-02-29")]
    [InlineData("1990-12-31T23:59:60Z")] // leap second is allowed by the grammar
    public void Valid_edge_dates(string toml) => Assert.Equal(toml, Toml.Value<TomlDateTime>($"v = {toml}").Text);

    // spec/toml.md §2: "No precision is lost (fractions are kept digit for digit)", however long the fraction;
    // a hostile document must not be able to exhaust the stack with one (it used to be copied to the stack).
    [Fact]
    public void A_fraction_of_a_million_digits_is_kept_and_does_not_exhaust_the_stack()
    {
        var fraction = new string('7', 1_000_000);
        string? text = null;
        var thread = new Thread(() => text = Toml.Value<TomlDateTime>($"v = 1979-05-27 07:32:00.{fraction}z").Text, maxStackSize: 1024 * 1024);
        thread.Start();
        thread.Join();
        Assert.Equal($"1979-05-27T07:32:00.{fraction}Z", text);
    }

    [Theory]
    [InlineData("1900-02-29")]  // divisible by 100 only: not leap
    [InlineData("2023-02-29")]
    [InlineData("2023-04-31")]
    [InlineData("2023-13-01")]
    [InlineData("2023-00-10")]
    [InlineData("2023-01-00")]
    [InlineData("2023-1-01")]
    [InlineData("2023-01-01T24:00:00")]
    [InlineData("2023-01-01T23:60:00")]
    [InlineData("2023-01-01T23:59:61")]
    [InlineData("2023-01-01T23:59:00+24:00")]
    [InlineData("2023-01-01T23:59:00+05")]
    [InlineData("2023-01-01T23:59:00.")]
    [InlineData("2023-01-01T23:5")]
    [InlineData("2023-01-01T23:59:")]
    [InlineData("2023-01-01T23:60")]
    [InlineData("24:00")]
    [InlineData("12:0")]
    [InlineData("12:00:")]
    [InlineData("12:00:5")]
    public void Invalid_dates_and_times_are_errors(string toml)
    {
        Toml.Fails($"v = {toml}");
        Toml.Fails($"v = {toml}", TomlVersion.V1_0);
    }

    // TOML 1.1.0 "Offset Date-Time": "seconds may be omitted, in which case `:00` will be assumed. The offset
    // immediately follows the minutes."; "Local Date-Time" and "Local Time": "Seconds may be omitted, in which
    // case `:00` will be assumed." spec/toml.md §2: the text then carries the assumed `:00`.
    [Theory]
    [InlineData("1979-05-27 07:32Z", TomlDateTimeKind.OffsetDateTime, "1979-05-27T07:32:00Z")]
    [InlineData("1979-05-27t07:32z", TomlDateTimeKind.OffsetDateTime, "1979-05-27T07:32:00Z")]
    [InlineData("1979-05-27 07:32-07:00", TomlDateTimeKind.OffsetDateTime, "1979-05-27T07:32:00-07:00")]
    [InlineData("1979-05-27T07:32", TomlDateTimeKind.LocalDateTime, "1979-05-27T07:32:00")]
    [InlineData("13:37", TomlDateTimeKind.LocalTime, "13:37:00")]
    [InlineData("00:00", TomlDateTimeKind.LocalTime, "00:00:00")]
    public void Seconds_may_be_omitted_in_toml_1_1(string toml, TomlDateTimeKind kind, string text)
    {
        var value = Toml.Value<TomlDateTime>($"v = {toml} # comment");
        Assert.Equal(kind, value.Kind);
        Assert.Equal(text, value.Text);
        Assert.Equal(new TomlPosition(1, 5), value.Position);
    }

    [Fact]
    public void Time_without_seconds_in_an_array_and_an_inline_table() =>
        Assert.Equal("07:32:00", ((TomlDateTime)Toml.Value<TomlArray>("v = [07:32,{t=07:33}]")[0]).Text);

    // TOML 1.1.0 ABNF: partial-time = time-hour ":" time-minute [ ":" time-second [ time-secfrac ] ]: a fraction
    // needs the seconds before it.
    [Theory]
    [InlineData("v = 07:32.5", 1, 10)]
    [InlineData("v = 1979-05-27T07:32.5Z", 1, 21)]
    public void A_fraction_without_seconds_is_an_error(string toml, int line, int column) =>
        Assert.Contains("seconds", Toml.FailsAt(toml, line, column).Reason, StringComparison.Ordinal);

    // TOML 1.0.0 "Local Time": partial-time = time-hour ":" time-minute ":" time-second [ time-secfrac ].
    [Theory]
    [InlineData("v = 12:00", 1, 10)]
    [InlineData("v = 2023-01-01T23:59", 1, 21)]
    [InlineData("v = 1979-05-27 07:32Z", 1, 21)]
    [InlineData("v = 1979-05-27 07:32-07:00", 1, 21)]
    public void Seconds_are_required_in_toml_1_0(string toml, int line, int column)
    {
        var reason = Toml.FailsAt(toml, line, column, TomlVersion.V1_0).Reason;
        Assert.Contains("seconds are required in TOML 1.0", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_space_without_a_following_time_ends_the_date()
    {
        var table = Toml.Parse("v = 1979-05-27 # birthday");
        Assert.Equal(TomlDateTimeKind.LocalDate, Assert.IsType<TomlDateTime>(table["v"]).Kind);
    }

    [Fact]
    public void Invalid_day_message_says_the_range() =>
        Assert.Contains("day must be 01-28 in 2023-02", Toml.FailsAt("v = 2023-02-29", 1, 5).Reason, StringComparison.Ordinal);
}
