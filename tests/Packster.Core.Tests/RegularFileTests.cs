using System.Diagnostics;
using Packster.Packaging;
using Packster.Testing;

namespace Packster.Core.Tests;

/// <summary>
/// A config, policy, key or signature file is checked to be a regular file before it is read; the path can still be
/// swapped for a FIFO after the check, and opening a FIFO waits for a writer that may never come. The open itself must
/// not wait: what is opened is judged by its descriptor and refused in the words of the type check
/// (spec/errors.md PST9005: "cannot read '&lt;path&gt;': … it is a FIFO (named pipe), not a regular file").
/// Each call on a FIFO runs on its own task with a bound of 30 s, so a call that waits fails the test instead of
/// hanging it; the bound is not a timing assertion.
/// </summary>
public sealed class RegularFileTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _temp = new("packster-regularfile");

    public void Dispose() => _temp.Dispose();

    private string Fifo()
    {
        var fifo = _temp["pipe"];
        using var mkfifo = Process.Start("mkfifo", [fifo]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return fifo;
    }

    /// <summary>
    /// Runs <paramref name="read"/> on its own task; when it has not ended within <see cref="Bound"/> (it waits on the
    /// FIFO), a writer is opened to let it go and the test fails.
    /// </summary>
    private static async Task<T> EndsAsync<T>(string fifo, Func<T> read)
    {
        var task = Task.Run(read);
        if (await Task.WhenAny(task, Task.Delay(Bound)) != task)
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            Assert.Fail($"reading the FIFO did not end within {Bound.TotalSeconds} s: its open waited for a writer");
        }
        return await task;
    }

    [Fact]
    public async Task A_fifo_without_a_writer_is_opened_at_once_and_said_to_be_one()
    {
        if (OperatingSystem.IsWindows()) return; // no FIFOs
        var fifo = Fifo();
        var (handle, kind) = await EndsAsync(fifo, () => (RegularFile.TryOpen(fifo, out var kind), kind));
        Assert.Null(handle);
        Assert.Equal(FileKind.Fifo, kind);
    }

    // spec/errors.md PST9005, as FileSystemErrors.FileExists words it for the type check.
    [Fact]
    public async Task Reading_a_fifo_is_refused_in_the_type_checks_words_and_code()
    {
        if (OperatingSystem.IsWindows()) return;
        var fifo = Fifo();
        var e = await EndsAsync(fifo, () => Assert.Throws<PacksterException>(() => FileSystemErrors.ReadFile(fifo, "cannot read", "the hint")));
        var check = Assert.Throws<PacksterException>(() => FileSystemErrors.FileExists(fifo, "cannot read", "the hint"));
        Assert.Equal(ErrorCode.FileSystemError, e.Code);
        Assert.Equal($"cannot read '{fifo}': it is a FIFO (named pipe), not a regular file", e.Message);
        Assert.Equal((check.Code, check.Message, check.Hint), (e.Code, e.Message, e.Hint));
    }

    // spec/toml.md §9 and spec/errors.md PST9005: the reader of the config file and of a location's policy file, given
    // a path that is a FIFO when it is opened (no type check in front of it), ends with PST9005 and the config's hint.
    [Fact]
    public async Task The_config_file_reader_refuses_a_fifo_at_its_open()
    {
        if (OperatingSystem.IsWindows()) return;
        var fifo = Fifo();
        var hint = RulesFile.UnreadableHint(RulesFileKind.UserConfig);
        var e = await EndsAsync(fifo, () => Assert.Throws<PacksterException>(() => EditedTomlFile.ReadText(fifo, ErrorCode.SourceConfigInvalid, hint)));
        Assert.Equal(ErrorCode.FileSystemError, e.Code);
        Assert.Equal($"cannot read '{fifo}': it is a FIFO (named pipe), not a regular file", e.Message);
        Assert.Equal(hint, e.Hint);
    }

    [Fact]
    public void A_device_is_refused_as_one_and_a_regular_file_is_read_whole()
    {
        var file = _temp.Write("config.toml", "[sources.a]\ntype = \"folder\"\n");
        Assert.Equal(File.ReadAllBytes(file), FileSystemErrors.ReadFile(file));
        if (OperatingSystem.IsWindows()) return;
        var e = Assert.Throws<PacksterException>(() => FileSystemErrors.ReadFile("/dev/null"));
        Assert.Equal("cannot read '/dev/null': it is a character device, not a regular file", e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_classified_file_system_error()
    {
        var e = Assert.Throws<PacksterException>(() => FileSystemErrors.ReadFile(_temp["absent"]));
        Assert.Equal(ErrorCode.FileSystemError, e.Code);
        Assert.Equal($"cannot read '{_temp["absent"]}': it does not exist", e.Message);
    }
}
