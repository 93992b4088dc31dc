using System.Diagnostics;
using System.Text.RegularExpressions;
using Packster.Packaging;

namespace Packster.IntegrationTests.Cli;

/// <summary>
/// What real machines do to packster — full disks, permissions, mounts, long names, special files, hostile nesting —
/// through the real executable (spec/errors.md § 9xxx, PST4005, PST2012, PST3007, PST3008): each is one classified
/// line naming the path and the reason in words, with its own exit code; never PST0001 and never a .NET resource key.
/// </summary>
public sealed partial class SystemErrorTests : IDisposable
{
    private readonly LocationFixture _f = new();

    public void Dispose() => _f.Dispose();

    /// <summary>A .NET resource key as UseSystemResourceKeys prints it: <c>IO_DiskFull_Path_AllocationSize</c>, <c>UnauthorizedAccess_IODenied_Path</c>.</summary>
    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9]*_[A-Z][A-Za-z0-9_]*\b")]
    private static partial Regex ResourceKeyShape();

    /// <summary>Keys mix case (<c>IO_DiskFull_Path</c>); an environment variable name (<c>PACKSTER_DATA_HOME</c>) does not.</summary>
    internal static bool HasResourceKey(string text) =>
        ResourceKeyShape().Matches(text).Any(m => m.Value.Any(char.IsAsciiLetterLower))
        || text.Contains("ObjectDepthTooLarge", StringComparison.Ordinal) || text.Contains("CannotReadIncompleteUTF16", StringComparison.Ordinal);

    private static void AssertClassified(ProcessResult r, string code, int exit, string path, string reason)
    {
        Assert.True(r.ExitCode == exit, r.ToString());
        var first = r.Stderr.Split('\n')[0];
        Assert.True(first.StartsWith($"error[{code}]: ", StringComparison.Ordinal), r.Stderr);
        Assert.Contains(path, first, StringComparison.Ordinal);
        Assert.Contains(reason, first, StringComparison.Ordinal);
        Assert.DoesNotContain("PST0001", r.Stderr, StringComparison.Ordinal);
        Assert.False(HasResourceKey(r.Stderr), $"a .NET resource key reached the user: {r.Stderr}");
    }

    private string Source(string name, params (string File, string Text)[] files)
    {
        var dir = _f.Temp[name];
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "packster-manifest.toml"), $"id = \"{name}\"\nversion = \"1.0.0\"\n");
        foreach (var (file, text) in files) File.WriteAllText(Path.Combine(dir, file), text);
        return dir;
    }

    [MountFact]
    public void A_full_disk_is_PST9000_naming_the_output_folder_and_leaves_no_temp_file()
    {
        // errors.md PST9000 DiskFull: ENOSPC, exit 9.
        var source = Source("big");
        File.WriteAllBytes(Path.Combine(source, "data.bin"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(300_000));
        using var small = TmpfsMount.Create(_f.Temp["small"], "size=64k");
        var r = _f.Packster.Run("pack", source, "-o", small.Path);
        AssertClassified(r, "PST9000", 9, small.Path, "no space left on device");
        Assert.Empty(Directory.EnumerateFileSystemEntries(small.Path));
    }

    // errors.md PST9005: "a folder where packster opens a file … is said to be what it is"; so is a file or a device
    // where the output folder belongs, not "it already exists", as if a folder there would do.
    [Fact]
    public void An_output_path_that_is_a_file_or_a_device_is_said_to_be_one()
    {
        var source = Source("outfile");
        var file = _f.Temp["out-is-a-file"];
        File.WriteAllText(file, "x");
        var r = _f.Packster.Run("pack", source, "-o", file);
        AssertClassified(r, "PST9005", 9, file, "it is a regular file, not a folder");
        Assert.Contains("hint: give -o a folder", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(file));
        if (OperatingSystem.IsWindows()) return;
        r = _f.Packster.Run("pack", source, "-o", "/dev/null");
        AssertClassified(r, "PST9005", 9, "/dev/null", "it is a character device, not a folder");
    }

    [MountFact]
    public void A_read_only_output_folder_is_PST9004()
    {
        // errors.md PST9004 ReadOnlyFileSystem: EROFS.
        var source = Source("ro");
        using var ro = TmpfsMount.Create(_f.Temp["ro-mount"], "ro");
        var r = _f.Packster.Run("pack", source, "-o", ro.Path);
        AssertClassified(r, "PST9004", 9, ro.Path, "read-only file system");
    }

    [MountFact]
    public void Deployments_on_another_file_system_is_PST9002_and_changes_nothing()
    {
        // errors.md PST9002 CrossDevice: the atomic rename from .packster/staging into deployments/ cannot cross mounts.
        InstallRefusedOverMount(_f.PackSample("hello"), "deployments", null, "PST9002", "another file system");
    }

    /// <summary>
    /// Mounts a tmpfs over the location's <paramref name="folder"/> (mode 0755: a tmpfs is 1777 by default, which packster
    /// refuses as writable by every user, PST5021, before it gets this far), installs <paramref name="package"/>, and
    /// checks it is refused as <paramref name="code"/> naming the folder, with the location left as it was.
    /// </summary>
    private void InstallRefusedOverMount(string package, string folder, string? size, string code, string reason)
    {
        var path = Path.Combine(_f.LocationPath, folder);
        Directory.CreateDirectory(path);
        using var mount = TmpfsMount.Create(path, size is null ? "mode=0755" : $"size={size},mode=0755");
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install-file", package, "--location", "dev");
        AssertClassified(r, code, 9, path, reason);
        Assert.Equal(before, _f.Snapshot());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Extracted_files_keep_their_package_modes_under_a_narrow_umask(string noStore)
    {
        // spec/package-format.md §5: each file is created with its mode less the umask, then given its mode by fchmod;
        // small files (the system calls alone) and files of 1 MiB or more (FileStream) alike. §3: a package holds 0644,
        // or 0755 for a file with any x bit; with the store on, files are 0444 or 0555 (spec/lockfile.md).
        var source = Source("modes");
        var modes = new Dictionary<string, UnixFileMode>
        {
            ["shared.txt"] = (UnixFileMode)0x1B6,  // 0666
            ["tool.sh"] = (UnixFileMode)0x1FF,     // 0777
            ["big.bin"] = (UnixFileMode)0x1B4,     // 0664, 2 MiB
        };
        File.WriteAllText(Path.Combine(source, "shared.txt"), "shared\n");
        File.WriteAllText(Path.Combine(source, "tool.sh"), "#!/bin/sh\necho tool\n");
        File.WriteAllBytes(Path.Combine(source, "big.bin"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(2 << 20));
        foreach (var (name, mode) in modes) File.SetUnixFileMode(Path.Combine(source, name), mode);
        var package = _f.Pack(source);
        var r = _f.Packster.RunUnderUmask("077", ["install-file", package, "--location", "dev", "--json"], new Dictionary<string, string> { ["PACKSTER_NO_STORE"] = noStore });
        Assert.True(r.ExitCode == 0, r.ToString());
        var deployment = Directory.GetDirectories(Path.Combine(_f.LocationPath, "deployments")).Single();
        foreach (var (name, mode) in modes)
        {
            var executable = (mode & UnixFileMode.UserExecute) != 0;
            var expected = (UnixFileMode)(noStore == "1" ? executable ? 0x1ED : 0x1A4 : executable ? 0x16D : 0x124);
            Assert.Equal((name, expected), (name, File.GetUnixFileMode(Path.Combine(deployment, name))));
        }
    }

    [MountFact]
    public void A_disk_that_fills_while_small_files_are_extracted_is_PST9000_and_changes_nothing()
    {
        // errors.md PST9000 DiskFull, met by the write(2) of a small file (spec/package-format.md §5: files under 1 MiB
        // are written by open, write, fchmod and close, not through .NET's FileStream) rather than by its open.
        var source = Source("many");
        for (var i = 0; i < 64; i++)
        {
            File.WriteAllText(Path.Combine(source, $"f{i:D2}.txt"), string.Concat(Enumerable.Repeat($"line of file {i}\n", 1_000)));
        }
        var package = _f.Pack(source);
        // The package (a few KiB: its files compress well) fits in the 256 KiB where it is copied first; its 1 MiB of
        // files do not.
        Assert.InRange(new FileInfo(package).Length, 1, 64 << 10);
        InstallRefusedOverMount(package, Path.Combine(".packster", "staging"), "256k", "PST9000", "no space left on device");
    }

    [NonRootUserFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void An_unreadable_source_file_is_PST9001_naming_it()
    {
        // errors.md PST9001 PermissionDenied: EACCES, as a user chmod applies to (root reads everything).
        var source = Source("secret", ("secret.txt", "hidden"));
        var secret = Path.Combine(source, "secret.txt");
        File.SetUnixFileMode(secret, 0);
        var output = _f.Temp["out-any"];
        Directory.CreateDirectory(output);
        OpenUp(_f.Temp.Path);
        File.SetUnixFileMode(output, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(secret, 0);
        var r = RunAsNobody(["pack", source, "-o", output]);
        AssertClassified(r, "PST9001", 9, secret, "permission denied");
    }

    [NonRootUserFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void An_output_folder_the_user_may_not_write_is_PST9001()
    {
        var source = Source("denied");
        var output = _f.Temp["root-only"];
        Directory.CreateDirectory(output);
        OpenUp(_f.Temp.Path);
        File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute | UnixFileMode.OtherRead);
        var r = RunAsNobody(["pack", source, "-o", output]);
        AssertClassified(r, "PST9001", 9, output, "permission denied");
    }

    [Fact]
    public void A_too_long_output_path_is_PST9003()
    {
        // errors.md PST9003 PathTooLong: ENAMETOOLONG (a name over 255 bytes).
        var source = Source("longname");
        var output = Path.Combine(_f.Temp.Path, new string('a', 300));
        var r = _f.Packster.Run("pack", source, "-o", output);
        AssertClassified(r, "PST9003", 9, output, "file name too long");
    }

    [Fact]
    public void Any_other_refusal_of_the_OS_is_PST9005_in_its_own_words()
    {
        // errors.md PST9005 FileSystemError: here ELOOP, a symbolic link loop.
        var source = Source("loop");
        File.CreateSymbolicLink(_f.Temp["loop1"], _f.Temp["loop2"]);
        File.CreateSymbolicLink(_f.Temp["loop2"], _f.Temp["loop1"]);
        var output = Path.Combine(_f.Temp["loop1"], "out");
        var r = _f.Packster.Run("pack", source, "-o", output);
        AssertClassified(r, "PST9005", 9, output, "symbolic links");
    }

    // errors.md § 9xxx: "the message names the path and says the OS reason in words"; PST9005 FileSystemError. A folder
    // where packster opens a file is said to be one: .NET reports it as access denied, which would send the user
    // looking at owners and modes (PST9001) for nothing.
    [Fact]
    public void A_folder_where_the_location_lock_file_belongs_is_PST9005_not_permission_denied()
    {
        var package = _f.PackSample("hello");
        var lockPath = Path.Combine(_f.LocationPath, ".packster", "lock");
        if (File.Exists(lockPath)) File.Delete(lockPath);
        Directory.CreateDirectory(lockPath);
        var before = _f.Snapshot();

        var r = _f.Packster.Run("install-file", package, "--location", "dev");

        AssertClassified(r, "PST9005", 9, lockPath, "it is a folder, not a file");
        Assert.DoesNotContain("permission denied", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _f.Snapshot());
    }

    /// <summary>Installs the sample, then puts a folder where the location's history.jsonl belongs; returns its path.</summary>
    private string InstallWithHistoryAsFolder()
    {
        _f.InstallJson(_f.PackSample("hello"));
        var history = Path.Combine(_f.LocationPath, "history.jsonl");
        File.Delete(history);
        Directory.CreateDirectory(history);
        return history;
    }

    // errors.md § 9xxx: "never a raw .NET resource text" — also in the warning a command gives when, after its change
    // is saved, the history line cannot be written because history.jsonl is a folder.
    [Fact]
    public void A_folder_where_history_jsonl_belongs_is_named_as_one_in_the_warning()
    {
        var history = InstallWithHistoryAsFolder();

        var r = _f.Packster.Run("uninstall", "hello", "--location", "dev");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"could not be written ('{history}': it is a folder, not a file)", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", r.Stderr, StringComparison.Ordinal);
    }

    // errors.md PST9005: "a folder where a file that may be missing belongs — … a location's `packster-policy.toml` … —
    // is not taken for a missing one (… no policy …): every command that reads it stops with `cannot read '<path>': it
    // is a folder, not a file`, a command that would edit it too, and nothing changes" (spec/licenses.md § Policy).
    [Fact]
    public void A_folder_where_the_location_policy_belongs_stops_installs_edits_and_the_policy_shown()
    {
        var package = _f.PackSample("hello");
        var policy = Path.Combine(_f.LocationPath, "packster-policy.toml");
        Directory.CreateDirectory(policy);
        var before = _f.Snapshot();

        foreach (var args in new[]
        {
            new[] { "install-file", package, "--location", "dev" },
            ["licenses", "deny", "MIT", "--location", "dev"],
            ["trust", "require", "--location", "dev"],
            ["licenses", "policy", "--location", "dev"],
            ["trust", "show", "--location", "dev"],
        })
        {
            var r = _f.Packster.Run(args);
            AssertClassified(r, "PST9005", 9, $"cannot read '{policy}'", "it is a folder, not a file");
            Assert.Contains("location's policy", r.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(before, _f.Snapshot());
        Assert.True(Directory.Exists(policy));
    }

    /// <summary>Commands that read the user config, and one that edits it (adding a folder source, made here).</summary>
    private string[][] CommandsReadingTheConfig()
    {
        Directory.CreateDirectory(_f.Temp["shelf"]);
        return [["source", "list"], ["licenses", "policy"], ["trust", "show"], ["source", "add", "shelf", "--type", "folder", "--url", _f.Temp["shelf"]]];
    }

    // errors.md PST9005: "the config file (`PACKSTER_CONFIG` or the user's `config.toml`) … is not taken for a missing
    // one (an empty configuration …)"; spec/sources.md §1: "a folder in its place is not, but PST9005".
    [Fact]
    public void A_folder_where_PACKSTER_CONFIG_points_is_an_error_not_an_empty_config()
    {
        var config = _f.Packster.Home["config.toml"];
        if (File.Exists(config)) File.Delete(config);
        Directory.CreateDirectory(config);
        foreach (var args in CommandsReadingTheConfig())
        {
            var r = _f.Packster.Run(args);
            AssertClassified(r, "PST9005", 9, $"cannot read '{config}'", "it is a folder, not a file");
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(config));
    }

    // errors.md PST9005: "So does a FIFO, socket or device there (… it is a FIFO (named pipe), not a regular file; it is
    // never opened, which for a FIFO would wait for a writer)"; spec/licenses.md § Policy, spec/sources.md §1.
    [Fact]
    public void A_FIFO_where_the_location_policy_or_the_config_belongs_is_refused_unopened()
    {
        if (OperatingSystem.IsWindows()) return; // no mkfifo
        var package = _f.PackSample("hello");
        var policy = Path.Combine(_f.LocationPath, "packster-policy.toml");
        var before = _f.Snapshot(); // taken without the FIFO, which the snapshot would wait on
        Assert.True(Run("mkfifo", policy));
        foreach (var args in new[]
        {
            new[] { "install-file", package, "--location", "dev" },
            ["licenses", "deny", "MIT", "--location", "dev"],
            ["licenses", "policy", "--location", "dev"],
            ["trust", "show", "--location", "dev"],
        })
        {
            var r = _f.Packster.RunWithin(args);
            AssertClassified(r, "PST9005", 9, $"cannot read '{policy}'", "it is a FIFO (named pipe), not a regular file");
            Assert.Contains("location's policy", r.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(FileKind.Fifo, FileKinds.Of(policy));
        File.Delete(policy);
        Assert.Equal(before, _f.Snapshot());

        var config = _f.Packster.Home["config.toml"];
        if (File.Exists(config)) File.Delete(config);
        Assert.True(Run("mkfifo", config));
        foreach (var args in new[] { new[] { "source", "list" }, ["licenses", "policy"], ["install-file", package, "--location", "dev"] })
        {
            var r = _f.Packster.RunWithin(args);
            AssertClassified(r, "PST9005", 9, $"cannot read '{config}'", "it is a FIFO (named pipe), not a regular file");
        }
        Assert.Equal(FileKind.Fifo, FileKinds.Of(config));
    }

    // spec/licenses.md § Policy: "a link that leads nowhere — its target missing, or a loop (… it is a symbolic link that
    // leads nowhere (to '<target>')): a link where the policy belongs says the location has one"; it was read as no
    // policy, so the location's deny rule below was off in silence.
    [Fact]
    public void A_dangling_link_where_the_location_policy_belongs_is_an_error_not_no_policy()
    {
        if (OperatingSystem.IsWindows()) return;
        var package = _f.PackSample("hello");
        var shared = _f.Temp["team-policy.toml"];
        var policy = Path.Combine(_f.LocationPath, "packster-policy.toml");
        File.CreateSymbolicLink(policy, shared);
        var before = _f.Snapshot();
        foreach (var args in new[]
        {
            new[] { "install-file", package, "--location", "dev" },
            ["licenses", "deny", "MIT", "--location", "dev"],
            ["licenses", "policy", "--location", "dev"],
            ["trust", "show", "--location", "dev"],
        })
        {
            var r = _f.Packster.Run(args);
            AssertClassified(r, "PST9005", 9, $"cannot read '{policy}'", $"it is a symbolic link that leads nowhere (to '{shared}')");
        }
        Assert.Equal(before, _f.Snapshot());
        Assert.False(File.Exists(shared));

        // Where it leads, it is read as the policy it is.
        File.WriteAllText(shared, "deny = [\"hello\"]\n");
        var denied = _f.Packster.Run("install-file", package, "--location", "dev");
        Assert.True(denied.ExitCode != 0 && !denied.Stderr.Contains("PST9005", StringComparison.Ordinal), denied.ToString());
    }

    // spec/sources.md §1: "a link that leads nowhere (… it is a symbolic link that leads nowhere (to '<target>')) [is]
    // PST9005 for every command that reads or edits the file, and nothing changes".
    [Fact]
    public void A_dangling_link_where_PACKSTER_CONFIG_points_is_an_error_not_an_empty_config()
    {
        if (OperatingSystem.IsWindows()) return;
        var config = _f.Packster.Home["config.toml"];
        var dotfiles = _f.Temp["dotfiles/packster.toml"];
        if (File.Exists(config)) File.Delete(config);
        File.CreateSymbolicLink(config, dotfiles);
        foreach (var args in CommandsReadingTheConfig())
        {
            var r = _f.Packster.Run(args);
            AssertClassified(r, "PST9005", 9, $"cannot read '{config}'", $"it is a symbolic link that leads nowhere (to '{dotfiles}')");
        }
        Assert.False(File.Exists(dotfiles));
        Assert.Equal(FileKind.Symlink, FileKinds.Of(config));
    }

    // spec/sources.md §1.1 The record: "a folder … in its place is PST9005 `cannot read '<path>': it is a folder, not a
    // file` … for every command that reads it … and nothing changes" (it was read as nothing trusted).
    [Fact]
    public void A_folder_where_the_trusted_configs_belong_is_PST9005_not_nothing_trusted()
    {
        var records = Path.Combine(_f.Packster.Home["data"], "trusted-configs.json");
        Directory.CreateDirectory(records);
        var project = _f.Temp["project/packster.toml"];
        Directory.CreateDirectory(Path.GetDirectoryName(project)!);
        File.WriteAllText(project, "");
        foreach (var args in new[] { new[] { "config", "trusted" }, ["config", "trust", project], ["config", "untrust", project] })
        {
            var r = _f.Packster.Run(args);
            AssertClassified(r, "PST9005", 9, $"cannot read '{records}'", "it is a folder, not a file");
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(records));
    }

    // errors.md PST9005: "a location's … `history.jsonl` — is not taken for a missing one (… no history)".
    [Fact]
    public void A_folder_where_history_jsonl_belongs_is_not_no_history()
    {
        var history = InstallWithHistoryAsFolder();

        foreach (var args in new[] { new[] { "history", "--location", "dev" }, ["history", "--location", "dev", "--check"] })
        {
            var r = _f.Packster.Run(args);
            AssertClassified(r, "PST9005", 9, $"cannot read '{history}'", "it is a folder, not a file");
            Assert.DoesNotContain("no history", r.Stdout, StringComparison.Ordinal);
        }
    }

    // errors.md PST4005: "a `.packsterignore` that is a folder is refused too …, never packed as if there were no
    // ignore rules" (spec/package-format.md §4).
    [Fact]
    public void A_folder_where_packsterignore_belongs_is_PST4005_and_nothing_is_packed()
    {
        var source = Source("ignore-folder", ("secret.txt", "not for the package\n"));
        Directory.CreateDirectory(Path.Combine(source, ".packsterignore"));
        File.WriteAllText(Path.Combine(source, ".packsterignore", "rules"), "secret.txt\n");

        var r = _f.Packster.Run("pack", source, "-o", _f.Dist);

        AssertClassified(r, "PST4005", 4, $"'.packsterignore' in '{source}'", "is a folder, not a regular file");
        Assert.False(Directory.Exists(_f.Dist) && Directory.EnumerateFiles(_f.Dist, "*.packster").Any());
    }

    // errors.md PST4005: "a source's packster-manifest.toml … that is not a regular file once links are followed (a
    // folder …): pack and manifest check say what it is, never that it is missing". Before: PST2001 "manifest not found".
    [Fact]
    public void A_folder_where_the_manifest_belongs_is_said_to_be_one()
    {
        var source = Source("manifest-folder");
        var manifest = Path.Combine(source, "packster-manifest.toml");
        File.Delete(manifest);
        Directory.CreateDirectory(manifest);

        foreach (var args in new[] { new[] { "pack", source, "-o", _f.Dist }, ["manifest", "check", source] })
        {
            var r = _f.Packster.Run(args);
            AssertClassified(r, "PST4005", 4, manifest, "is a folder, not a regular file");
        }
        Assert.False(Directory.Exists(_f.Dist) && Directory.EnumerateFiles(_f.Dist, "*.packster").Any());
    }

    // spec/package-format.md §4: "a symbolic link that leads nowhere (… the ignore rules are read from a file) — is refused
    // with PST4005 …, never taken as no rules". Before, its message was a special file's, with the hint to list the ignore
    // file in itself.
    [Fact]
    public void A_dangling_link_where_packsterignore_belongs_is_PST4005_in_its_own_words()
    {
        if (OperatingSystem.IsWindows()) return;
        var source = Source("ignore-dangling", ("secret.txt", "not for the package\n"));
        var rules = _f.Temp["shared/packster.ignore"];
        File.CreateSymbolicLink(Path.Combine(source, ".packsterignore"), rules);

        var r = _f.Packster.Run("pack", source, "-o", _f.Dist);

        AssertClassified(r, "PST4005", 4, $"'.packsterignore' in '{source}'", $"is a symbolic link that leads nowhere (to '{rules}'); the ignore rules are read from a file");
        Assert.Contains("hint: point the link at a file of ignore rules, or remove it", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_f.Dist) && Directory.EnumerateFiles(_f.Dist, "*.packster").Any());
    }

    [Theory]
    [InlineData("fifo")]
    [InlineData("socket")]
    [InlineData("chardev")]
    public void A_special_file_in_the_source_is_PST4005_by_type_and_never_opened(string kind)
    {
        // errors.md PST4005: "pack found one in the source"; a FIFO must not hang pack (it is never opened).
        if (OperatingSystem.IsWindows()) return;
        var source = Source("special-" + kind);
        var path = Path.Combine(source, "thing");
        var made = kind switch
        {
            "fifo" => Run("mkfifo", path),
            "socket" => Run("python3", "-c", $"import socket; socket.socket(socket.AF_UNIX).bind('{path}')"),
            _ => Run("mknod", path, "c", "1", "3"),
        };
        if (!made && kind == "chardev" && Environment.UserName != "root") return; // mknod of a device needs root (CI is root)
        Assert.True(made, $"could not make a {kind}");
        var watch = Stopwatch.StartNew();
        var r = _f.Packster.Run("pack", source, "-o", _f.Dist);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "pack waited on the special file");
        AssertClassified(r, "PST4005", 4, "thing", kind switch { "fifo" => "FIFO", "socket" => "socket", _ => "character device" });
        Assert.False(Directory.Exists(_f.Dist) && Directory.EnumerateFiles(_f.Dist, "*.packster").Any());
    }

    [Fact]
    public void A_FIFO_in_the_source_with_a_pack_handler_is_PST4005_too()
    {
        // spec/handlers.md § pack: the staging copy checks types the same way before copying.
        if (OperatingSystem.IsWindows()) return;
        var source = Source("special-staged", ("pack.sh", "#!/bin/sh\ntrue\n"));
        File.AppendAllText(Path.Combine(source, "packster-manifest.toml"), "[handlers]\npack = \"pack.sh\"\n");
        Assert.True(Run("mkfifo", Path.Combine(source, "pipe")));
        var r = _f.Packster.Run("pack", source, "-o", _f.Dist);
        AssertClassified(r, "PST4005", 4, "pipe", "FIFO");
    }

    [Fact]
    public void A_lone_surrogate_in_parameters_is_PST3008_and_changes_nothing()
    {
        // errors.md PST3008 ParameterInvalidUnicode.
        var package = _f.PackSample("hello");
        var before = _f.Snapshot();
        var r = _f.Packster.Run("install-file", package, "--location", "dev", "--parameters", "{\"greeting\":\"\\ud800\"}");
        AssertClassified(r, "PST3008", 3, "greeting", "lone UTF-16 surrogate");
        Assert.Equal(before, _f.Snapshot());
    }

    [Theory]
    [InlineData(33)]
    [InlineData(70)]
    [InlineData(5000)]
    public void Parameters_nested_too_deep_are_PST3007(int depth)
    {
        // errors.md PST3007 ParameterTooDeep; spec/parameters.md § Limits: a value nests at most 32 levels.
        var source = Source("deep");
        File.AppendAllText(Path.Combine(source, "packster-manifest.toml"), "[parameters.obj]\ntype = \"object\"\ndefault = {}\n");
        var package = _f.Pack(source);
        var value = string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{}" + new string('}', depth - 1);
        var r = _f.Packster.Run("install-file", package, "--location", "dev", "--dry-run", "--parameters", $"{{\"obj\":{value}}}");
        AssertClassified(r, "PST3007", 3, "--parameters", "at most 32");
    }

    [Fact]
    public void A_manifest_default_nested_65_deep_is_PST3007_at_manifest_check_and_pack()
    {
        // The finding: 65+ levels passed manifest check and then failed install with PST0001.
        var source = Source("deepdefault");
        File.AppendAllText(Path.Combine(source, "packster-manifest.toml"),
            "[parameters.obj]\ntype = \"object\"\ndefault = " + string.Concat(Enumerable.Repeat("{a=", 65)) + "1" + new string('}', 65) + "\n");
        AssertClassified(_f.Packster.Run("manifest", "check", source), "PST3007", 3, "parameters.obj.default", "at most 32");
        AssertClassified(_f.Packster.Run("pack", source, "-o", _f.Dist), "PST3007", 3, "parameters.obj.default", "at most 32");
    }

    [Theory]
    [InlineData("dotted")]
    [InlineData("header")]
    [InlineData("default")]
    public void TOML_keys_nested_past_the_limit_are_PST2012(string form)
    {
        // errors.md PST2012 TomlTooDeep; spec/toml.md § Limits: a key of more than 256 parts (here 100,000: no stack overflow).
        var source = Source("deepkeys");
        var key = string.Join('.', Enumerable.Repeat("a", 100_000));
        File.AppendAllText(Path.Combine(source, "packster-manifest.toml"), form switch
        {
            "dotted" => $"{key} = 1\n",
            "header" => $"[{key}]\n",
            _ => $"[parameters.obj]\ntype = \"object\"\ndefault.{key} = 1\n",
        });
        AssertClassified(_f.Packster.Run("manifest", "check", source), "PST2012", 3, "packster-manifest.toml", "more than 256");
    }

    [Fact]
    public void No_message_of_the_framework_is_a_bare_resource_key()
    {
        // The finding: UseSystemResourceKeys=true printed "UnauthorizedAccess_IODenied_Path, /x" and "IO_PathNotFound_Path".
        var source = Source("notdir");
        var file = _f.Temp["a-file"];
        File.WriteAllText(file, "");
        var r = _f.Packster.Run("pack", source, "-o", Path.Combine(file, "sub"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.DoesNotContain("PST0001", r.Stderr, StringComparison.Ordinal);
        Assert.False(HasResourceKey(r.Stderr), r.ToString());
        var config = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "packster.runtimeconfig.json"));
        Assert.DoesNotContain("UseSystemResourceKeys\": true", config, StringComparison.Ordinal);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private ProcessResult RunAsNobody(string[] args) => AsAnotherUser.Run(_f.Packster, _f.Temp, args);

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void OpenUp(string path) => AsAnotherUser.OpenUp(path);

    internal static bool Run(string program, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A tmpfs mounted for one test and unmounted after it (needs root, as on CI).</summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static TmpfsMount Create(string path, string? options)
    {
        Directory.CreateDirectory(path);
        var args = options is null ? new[] { "-t", "tmpfs", "tmpfs", path } : ["-t", "tmpfs", "-o", options, "tmpfs", path];
        Assert.True(SystemErrorTests.Run("mount", args), $"mount {string.Join(' ', args)} failed");
        return new TmpfsMount(path);
    }

    public void Dispose() => SystemErrorTests.Run("umount", "-l", Path);
}

/// <summary>Runs only where tmpfs can be mounted (Linux as root, as on CI); says why otherwise.</summary>
public sealed class MountFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Why = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs mounts are Linux-only";
        if (Environment.UserName != "root") return "mounting a small tmpfs needs root (CI runs these as root)";
        var probe = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "packster-mount-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(probe);
        try
        {
            if (!SystemErrorTests.Run("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", probe)) return "mount is not permitted here (no CAP_SYS_ADMIN)";
            SystemErrorTests.Run("umount", probe);
            return null;
        }
        finally
        {
            Directory.Delete(probe);
        }
    });

    public MountFactAttribute()
    {
        if (Why.Value is { } why) Skip = why;
    }
}

/// <summary>Runs where a non-root user can be switched to (root with setpriv): chmod does not bind root.</summary>
public sealed class NonRootUserFactAttribute : FactAttribute
{
    public NonRootUserFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "uses setpriv to run as nobody";
        else if (Environment.UserName != "root") Skip = "switching to nobody needs root; as a normal user chmod 000 would do, but this test runs the switch";
        else if (!SystemErrorTests.Run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "true")) Skip = "setpriv cannot switch users here";
    }
}
