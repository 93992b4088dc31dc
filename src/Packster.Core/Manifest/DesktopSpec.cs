namespace Packster.Manifest;

/// <summary>
/// One <c>[[desktop]]</c> entry (spec/manifest.md § [[desktop]]): an application menu entry activation installs for a
/// GUI the package ships — a freedesktop <c>.desktop</c> file on Linux, a Start-menu shortcut on Windows.
/// </summary>
public sealed record DesktopSpec(string Id, string Name, PackagePath Exec, IReadOnlyList<Template> Args, PackagePath? Icon,
    IReadOnlyList<string> Categories, string? Comment, bool Terminal);
