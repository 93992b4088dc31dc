using System.Diagnostics;
using Packster.Testing;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// A real full disk under parts of a location: a small tmpfs is mounted, filled until the kernel answers ENOSPC, and
/// bind-mounted over the given paths (the <c>activate/</c> folder, <c>history.jsonl</c>), while the lockfile stays on
/// the ordinary disk. So a command's lockfile commit succeeds and the writes after it fail exactly as on a full disk.
/// Needs Linux and the right to mount (root with CAP_SYS_ADMIN); <see cref="FullDiskFactAttribute"/> skips otherwise.
/// </summary>
public sealed class FullDisk : IDisposable
{
    private readonly List<string> _mounts = [];
    private readonly List<string> _files = [];
    private readonly string _root;

    /// <summary>Mounts a full tmpfs over each of <paramref name="targets"/> (existing folders or files), keeping their content.</summary>
    public FullDisk(TempDirectory temp, params string[] targets)
    {
        _root = temp["full-disk"];
        Directory.CreateDirectory(_root);
        Mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", _root);
        _mounts.Add(_root);
        var i = 0;
        var prepared = new List<(string Inside, string Target)>();
        foreach (var target in targets)
        {
            var inside = Path.Combine(_root, $"{i++}");
            if (Directory.Exists(target))
            {
                Directory.CreateDirectory(inside);
                foreach (var file in Directory.GetFiles(target)) File.Copy(file, Path.Combine(inside, Path.GetFileName(file)));
            }
            else
            {
                if (!File.Exists(target)) File.WriteAllText(target, "");
                File.Copy(target, inside);
            }
            prepared.Add((inside, target));
        }
        Fill(Path.Combine(_root, "filler"));
        foreach (var (inside, target) in prepared)
        {
            Mount("--bind", inside, target);
            _mounts.Add(target);
            if (File.Exists(target)) _files.Add(target);
        }
    }

    /// <summary>True when this machine lets the tests mount a tmpfs (checked once).</summary>
    public static string? WhyUnavailable => LazyReason.Value;

    private static readonly Lazy<string?> LazyReason = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "a full disk is simulated with a tmpfs mount, which needs Linux";
        using var temp = new TempDirectory("packster-fulldisk-probe");
        var dir = temp["m"];
        Directory.CreateDirectory(dir);
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", dir);
        if (code != 0) return $"cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): {error.Trim()}";
        Run("umount", dir);
        return null;
    });

    private static void Fill(string path)
    {
        var block = new byte[4096];
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
            while (true) stream.Write(block);
        }
        catch (IOException)
        {
            // ENOSPC: the disk is full, which is the point.
        }
    }

    private static void Mount(params string[] args)
    {
        var (code, error) = Run("mount", args);
        if (code != 0) throw new InvalidOperationException($"mount {string.Join(' ', args)} failed: {error}");
    }

    private static (int Code, string Error) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }

    /// <summary>
    /// Unmounts, innermost first: the disk is no longer full and the original paths are back. What was appended to a
    /// file while it lived on the small disk (a page not yet full takes a few more bytes) is kept, as it would be.
    /// </summary>
    public void Dispose()
    {
        var kept = _files.ToDictionary(f => f, File.ReadAllBytes);
        for (var i = _mounts.Count - 1; i >= 0; i--)
        {
            if (Run("umount", _mounts[i]).Code != 0) Run("umount", "-l", _mounts[i]);
        }
        _mounts.Clear();
        foreach (var (file, bytes) in kept) File.WriteAllBytes(file, bytes);
    }
}

/// <summary>A fact that needs <see cref="FullDisk"/>; skipped, with the reason, where a tmpfs cannot be mounted.</summary>
public sealed class FullDiskFactAttribute : FactAttribute
{
    public FullDiskFactAttribute()
    {
        if (FullDisk.WhyUnavailable is { } reason) Skip = reason;
    }
}
