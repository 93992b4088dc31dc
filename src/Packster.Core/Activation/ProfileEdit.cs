using Packster.Locations;

namespace Packster.Activation;

/// <summary>
/// One shell profile's edit, judged and prepared (<see cref="ProfileSnippet.PrepareEnable"/>,
/// <see cref="ProfileSnippet.PrepareDisable"/>) but not yet written. It holds the profile's lock from the read until it
/// is disposed, so nobody edits the profile in between, and keeps the bytes it read, so that <see cref="Undo"/> can put
/// them back once it is written: <c>location enable</c> and <c>disable</c> prepare every profile first, then write
/// them all, and undo those written when a later one fails (spec/activation.md §6).
/// </summary>
public sealed class ProfileEdit : IDisposable
{
    private readonly string _target;
    private readonly byte[]? _before;
    private readonly byte[]? _after;
    private readonly bool _delete;
    private readonly FileLock? _held;
    private bool _written;
    private string? _createdFolder;

    internal ProfileEdit(string profile, string target, byte[]? before, byte[]? after, FileLock? held, bool delete = false)
    {
        Profile = profile;
        _target = target;
        _before = before;
        _after = after;
        _held = held;
        _delete = delete;
    }

    /// <summary>The profile as named (a symlinked profile's real file is what is written).</summary>
    public string Profile { get; }

    /// <summary>Whether the block is added, rewritten or removed: false when the profile already was as asked.</summary>
    public bool Changes => _after is not null;

    /// <summary>Writes the new bytes (temp file, fsync, rename), or deletes the file when it is left empty and packster's own.</summary>
    public void Write()
    {
        if (!Changes && !_delete) return;
        if (_delete)
        {
            File.Delete(_target);
            _written = true;
            return;
        }
        var folder = Path.GetDirectoryName(_target)!;
        var created = !Directory.Exists(folder);
        ProfileSnippet.Replace(_target, _after!);
        _written = true;
        if (created) _createdFolder = folder;
    }

    /// <summary>Puts back what <see cref="Write"/> replaced: the old bytes, or no file (and no folder) where there was none.</summary>
    public void Undo()
    {
        if (!_written) return;
        if (_before is null)
        {
            File.Delete(_target);
            if (_createdFolder is not null && !Directory.EnumerateFileSystemEntries(_createdFolder).Any()) Directory.Delete(_createdFolder);
        }
        else
        {
            ProfileSnippet.Replace(_target, _before);
        }
        _written = false;
    }

    public void Dispose() => _held?.Dispose();
}
