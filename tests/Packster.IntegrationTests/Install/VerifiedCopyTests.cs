using System.Diagnostics;
using Packster.IntegrationTests.Cli;

namespace Packster.IntegrationTests.Install;

/// <summary>
/// spec/package-format.md §1, "What is verified is what is installed": the installer extracts while it copies the
/// package under the lock, following the file's layout and reading the data from the copy; what it keeps must be what
/// the finished copy — whose hash is the name's — holds, layout included.
/// </summary>
public sealed class VerifiedCopyTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string PackSwap(string folder, params string[] files)
    {
        var dir = _f.Temp[folder];
        _f.Temp.Write(Path.Combine(folder, "packster-manifest.toml"), "id = \"swap\"\nversion = \"1.0.0\"\n");
        foreach (var file in files) _f.Temp.Write(Path.Combine(folder, file), string.Concat(Enumerable.Repeat(file + " holds these words\n", 4000)));
        // Each file a frame of its own (no solid runs): a package of fewer files is then a prefix of one of more.
        using var doc = System.Text.Json.JsonDocument.Parse(_f.Packster.Ok("pack", dir, "-o", _f.Temp[folder + "-out"], "--no-solid", "--json"));
        return doc.RootElement.GetProperty("path").GetString()!;
    }

    // The layout is read from the file while it holds an impostor: the same manifest and first file, at the same places,
    // but one file fewer. The file is then rewritten with the genuine package before the copy starts (test seam
    // PACKSTER_PAUSE_AT=install.layout-read), so the copy hashes to the name and every entry the impostor's layout lists
    // extracts with the right CRC. Only the comparison of the layouts stands between this and a deployment without b.txt.
    [Fact]
    public async Task A_layout_read_from_other_bytes_than_the_copy_holds_is_refused()
    {
        var genuine = PackSwap("genuine", "a.txt", "b.txt");
        var impostor = PackSwap("impostor", "a.txt");
        var genuineBytes = File.ReadAllBytes(genuine);
        var impostorBytes = File.ReadAllBytes(impostor);
        // The impostor is a prefix of the genuine package up to its central directory: same manifest, same a.txt.
        var impostorCentralDirectory = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(impostorBytes.AsSpan(impostorBytes.Length - 6));
        Assert.True(impostorBytes.AsSpan(0, impostorCentralDirectory).SequenceEqual(genuineBytes.AsSpan(0, impostorCentralDirectory)));

        var path = Path.Combine(Directory.CreateDirectory(_f.Temp["swapped"]).FullName, Path.GetFileName(genuine));
        File.WriteAllBytes(path, impostorBytes);
        var before = _f.Snapshot();
        var signal = _f.Temp["paused"];
        var env = new Dictionary<string, string> { [PausePoint.Variable] = "install.layout-read", [PausePoint.FileVariable] = signal };
        using var install = Process.Start(_f.Packster.StartInfo(["install-file", path, "--location", "dev"], env))!;
        install.StandardInput.Close();
        var stdout = install.StandardOutput.ReadToEndAsync();
        var stderr = install.StandardError.ReadToEndAsync();
        Assert.True(SpinWait.SpinUntil(() => File.Exists(signal) || install.HasExited, TimeSpan.FromMinutes(2)), "the install never reached its pause point");
        if (!File.Exists(signal)) Assert.Fail($"the install ended before its pause point: {await stderr}");

        // Rewritten in place, as `cp` does: the handle the layout was read through sees the new bytes too.
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Write(genuineBytes);
        }
        File.Delete(signal);

        Assert.True(install.WaitForExit(TimeSpan.FromMinutes(2)));
        var (output, errors) = (await stdout, await stderr);
        Assert.True(install.ExitCode == 4, $"exit {install.ExitCode}: {output} {errors}");
        Assert.Contains("PST4001", errors, StringComparison.Ordinal);
        Assert.Contains("its entries moved while it was copied", errors, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());

        // The genuine package, as it now is at that path, installs whole.
        _f.Packster.Ok("install-file", path, "--location", "dev");
        var deployment = _f.List()[0].GetProperty("path").GetString()!;
        Assert.True(File.Exists(Path.Combine(deployment, "b.txt")));
    }

    // The whole-file hash is the copy's: a package whose data is damaged (its manifest intact, so it is not hashed before
    // the lock) is refused with the plain checksum error even though its layout is sound and extraction started.
    [Fact]
    public void Damaged_data_behind_a_sound_layout_is_the_checksum_error()
    {
        var genuine = PackSwap("genuine", "a.txt", "b.txt");
        var bytes = File.ReadAllBytes(genuine);
        var centralDirectory = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 6));
        bytes[centralDirectory - 5] ^= 0x01;
        var damaged = Path.Combine(Directory.CreateDirectory(_f.Temp["damaged"]).FullName, Path.GetFileName(genuine));
        File.WriteAllBytes(damaged, bytes);
        var before = _f.Snapshot();

        var r = _f.Packster.Run("install-file", damaged, "--location", "dev");
        Assert.Equal(4, r.ExitCode);
        Assert.Contains($"checksum mismatch for '{Path.GetFileName(genuine)}'", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }
}
