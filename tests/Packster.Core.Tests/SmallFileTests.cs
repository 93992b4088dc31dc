using System.Diagnostics;
using Packster.Testing;

namespace Packster.Core.Tests;

/// <summary>
/// A file small by contract (a signature, a key, a ca-file) is judged by the bytes read, not by the size the file
/// system reports, and a FIFO or device is refused without being opened.
/// </summary>
public sealed class SmallFileTests : IDisposable
{
    private readonly TempDirectory _temp = new("packster-smallfile");

    public void Dispose() => _temp.Dispose();

    private static PacksterException Refused(string why) => new(ErrorCode.SignatureUnreadable, why);

    [Fact]
    public void A_file_of_exactly_the_limit_is_read_whole_and_one_byte_more_is_refused()
    {
        var exact = _temp["exact"];
        File.WriteAllBytes(exact, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i % 251))]);
        Assert.Equal(File.ReadAllBytes(exact), SmallFile.Read(exact, 4096, Refused));

        var over = _temp["over"];
        File.WriteAllBytes(over, new byte[4097]);
        var e = Assert.Throws<PacksterException>(() => SmallFile.Read(over, 4096, Refused));
        Assert.Equal(ErrorCode.SignatureUnreadable, e.Code);
        Assert.Equal("it holds more than 4096 bytes", e.Message);
    }

    [Fact]
    public void A_sparse_file_of_three_gigabytes_is_refused_by_what_was_read()
    {
        var sparse = _temp["sparse"];
        using (var stream = File.Create(sparse)) stream.SetLength(3L << 30);
        var e = Assert.Throws<PacksterException>(() => SmallFile.Read(sparse, 4096, Refused));
        Assert.Equal("it holds more than 4096 bytes", e.Message);
    }

    [Fact]
    public void A_link_to_dev_zero_is_refused_as_a_device()
    {
        if (OperatingSystem.IsWindows()) return; // no /dev/zero
        var link = _temp["zero"];
        File.CreateSymbolicLink(link, "/dev/zero");
        var e = Assert.Throws<PacksterException>(() => SmallFile.Read(link, 4096, Refused));
        Assert.Equal("it is a character device, not a regular file", e.Message);
    }

    [Fact]
    public void A_fifo_is_refused_without_being_opened()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        var fifo = _temp["pipe"];
        using (var mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        // Opening it would wait for a writer that never comes: the refusal is what ends this call.
        var e = Assert.Throws<PacksterException>(() => SmallFile.Read(fifo, 4096, Refused));
        Assert.Equal("it is a FIFO (named pipe), not a regular file", e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_classified_file_system_error()
    {
        var e = Assert.Throws<PacksterException>(() => SmallFile.Read(_temp["absent"], 4096, Refused));
        Assert.Equal(ErrorCode.FileSystemError, e.Code);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    // spec/export.md § Limits of what is read: a file named on the command line is read whatever it is (a pipe, a
    // process substitution), but never more than its limit + 1 bytes.
    [Fact]
    public void A_given_file_is_read_whole_up_to_its_limit_and_an_endless_one_is_refused()
    {
        var text = _temp.Write("env.toml", new string('x', 200_000));
        Assert.Equal(File.ReadAllBytes(text), SmallFile.ReadGiven(text, 200_000, Refused));
        Assert.Equal("it holds more than 199999 bytes", Assert.Throws<PacksterException>(() => SmallFile.ReadGiven(text, 199_999, Refused)).Message);
        if (OperatingSystem.IsWindows()) return;
        Assert.Equal("it holds more than 1 MiB", Assert.Throws<PacksterException>(() => SmallFile.ReadGiven("/dev/zero", 1 << 20, Refused)).Message);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_given_pipe_is_read_like_a_file()
    {
        var fifo = _temp["secrets.fifo"];
        using (var mkfifo = Process.Start("mkfifo", [fifo])!) mkfifo.WaitForExit();
        // The writer is a process of its own: opening a FIFO waits for the other end.
        using var writer = Process.Start("sh", ["-c", "printf '%s' '{\"a\": 1}' > \"$1\"", "sh", fifo])!;
        Assert.Equal("{\"a\": 1}", System.Text.Encoding.UTF8.GetString(SmallFile.ReadGiven(fifo, 4096, Refused)));
        writer.WaitForExit();
    }
}
