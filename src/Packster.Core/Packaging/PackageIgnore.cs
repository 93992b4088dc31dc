using System.Text;
using System.Text.RegularExpressions;

namespace Packster.Packaging;

/// <summary>
/// The rules of a <c>.packsterignore</c> file, with gitignore semantics (spec/package-format.md §Ignore rules):
/// the last matching pattern wins, '!' re-includes, a trailing '/' matches directories only, a '/' at the start or
/// in the middle anchors to the package root, '*' and '?' never cross '/', '**' spans folders. The ignore file
/// itself and every '.git' are always excluded; the manifest is always included.
/// </summary>
public sealed class PackageIgnore
{
    public const string FileName = ".packsterignore";

    private readonly IReadOnlyList<Rule> _rules;

    private PackageIgnore(IReadOnlyList<Rule> rules) => _rules = rules;

    /// <summary>No rules beyond the built-in exclusions.</summary>
    public static PackageIgnore Empty { get; } = new([]);

    /// <summary>
    /// Reads <c>.packsterignore</c> from <paramref name="sourceDir"/>, or <see cref="Empty"/> when absent. One that is
    /// not a regular file once links are followed is PST4005 (spec/errors.md): a folder of that name would otherwise
    /// pack as if there were no rules, and everything they leave out would be packed.
    /// </summary>
    public static PackageIgnore Load(string sourceDir)
    {
        var path = Path.Combine(sourceDir, FileName);
        switch (FileKinds.OfTarget(path))
        {
            case FileKind.Regular:
                break;
            case FileKind.Missing when FileKinds.Of(path) != FileKind.Symlink:
                return Empty;
            case FileKind.Missing:
                // A link that leads nowhere: rules meant to be read, not an absent file (which would pack everything).
                throw new PacksterException(ErrorCode.ArchiveUnsupportedEntry,
                    $"'{FileName}' in '{sourceDir}' is a symbolic link that leads nowhere (to '{new FileInfo(path).LinkTarget}'); the ignore rules are read from a file",
                    $"point the link at a file of ignore rules, or remove it (spec/package-format.md §4)");
            case var kind:
                throw NotRegular(kind);
        }
        // Opened so that a FIFO put there since cannot hold the open (RegularFile); read as File.ReadAllText reads.
        return Parse(FileSystemErrors.AtFile(path, "cannot read", () =>
        {
            using var reader = new StreamReader(new FileStream(RegularFile.Open(path, NotRegular), FileAccess.Read, bufferSize: 0), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }));

        PacksterException NotRegular(FileKind kind) => kind == FileKind.Directory
            ? new PacksterException(ErrorCode.ArchiveUnsupportedEntry,
                $"'{FileName}' in '{sourceDir}' is a folder, not a regular file; the ignore rules are read from a file",
                $"rename or remove the folder '{FileName}', or make it a file of ignore rules (spec/package-format.md §4)")
            : SourceTree.SpecialFile(FileName, sourceDir, kind);
    }

    /// <summary>Parses the text of an ignore file. Never fails: like git, a malformed pattern is matched literally.</summary>
    public static PackageIgnore Parse(string text)
    {
        var rules = new List<Rule>();
        foreach (var rawLine in text.Split('\n'))
        {
            var rule = Rule.TryParse(rawLine.TrimEnd('\r'));
            if (rule is not null) rules.Add(rule);
        }
        return new PackageIgnore(rules);
    }

    /// <summary>
    /// Whether <paramref name="relativePath"/> ('/'-separated, relative to the package root) is left out. Callers walk
    /// the tree top-down and skip ignored folders, so a file inside an ignored folder cannot be re-included (as in git).
    /// </summary>
    public bool IsIgnored(string relativePath, bool isDirectory)
    {
        if (relativePath == Packer.ManifestFileName) return false;
        if (relativePath == FileName) return true;
        var name = relativePath[(relativePath.LastIndexOf('/') + 1)..];
        if (name == ".git") return true;

        var ignored = false;
        foreach (var rule in _rules)
        {
            if (rule.Negated != ignored) continue; // only a rule that could change the verdict matters
            if (rule.DirectoryOnly && !isDirectory) continue;
            if (rule.Pattern.IsMatch(relativePath)) ignored = !rule.Negated;
        }
        return ignored;
    }

    private sealed record Rule(Regex Pattern, bool Negated, bool DirectoryOnly)
    {
        public static Rule? TryParse(string line)
        {
            line = TrimUnescapedTrailingSpaces(line);
            if (line.Length == 0 || line[0] == '#') return null;
            var negated = false;
            if (line[0] == '!')
            {
                negated = true;
                line = line[1..];
            }
            var directoryOnly = false;
            if (line.EndsWith('/'))
            {
                directoryOnly = true;
                line = line.TrimEnd('/');
            }
            if (line.Length == 0) return null;
            // A '/' at the start or in the middle anchors the pattern to the root; otherwise it matches at any depth.
            var anchored = line.Contains('/', StringComparison.Ordinal);
            if (line[0] == '/') line = line[1..];
            var regex = new StringBuilder("^");
            if (!anchored) regex.Append("(?:.*/)?");
            AppendGlob(regex, line);
            regex.Append('$');
            return new Rule(new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline), negated, directoryOnly);
        }

        private static string TrimUnescapedTrailingSpaces(string line)
        {
            var end = line.Length;
            while (end > 0 && line[end - 1] == ' ' && !(end >= 2 && line[end - 2] == '\\')) end--;
            return line[..end];
        }

        private static void AppendGlob(StringBuilder regex, string glob)
        {
            var i = 0;
            while (i < glob.Length)
            {
                var c = glob[i];
                if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*'
                    && (i == 0 || glob[i - 1] == '/') && (i + 2 == glob.Length || glob[i + 2] == '/'))
                {
                    if (i + 2 == glob.Length)
                    {
                        regex.Append(".*");                 // "a/**": everything inside
                        i += 2;
                    }
                    else
                    {
                        regex.Append("(?:.*/)?");           // "**/" and "/**/": zero or more folders
                        i += 3;
                    }
                    continue;
                }
                switch (c)
                {
                    case '*':
                        regex.Append("[^/]*");
                        i++;
                        break;
                    case '?':
                        regex.Append("[^/]");
                        i++;
                        break;
                    case '\\' when i + 1 < glob.Length:
                        regex.Append(Regex.Escape(glob[i + 1].ToString()));
                        i += 2;
                        break;
                    case '[':
                        i = AppendClass(regex, glob, i);
                        break;
                    default:
                        regex.Append(Regex.Escape(c.ToString()));
                        i++;
                        break;
                }
            }
        }

        /// <summary>"[a-z]", "[!abc]", "[^abc]"; an unterminated '[' is a literal, as in git.</summary>
        private static int AppendClass(StringBuilder regex, string glob, int start)
        {
            var i = start + 1;
            var negate = i < glob.Length && glob[i] is '!' or '^';
            if (negate) i++;
            var body = new StringBuilder();
            var first = true;
            while (i < glob.Length && (glob[i] != ']' || first))
            {
                var c = glob[i];
                if (c == '\\' && i + 1 < glob.Length)
                {
                    body.Append(Regex.Escape(glob[i + 1].ToString()).Replace("]", @"\]", StringComparison.Ordinal));
                    i += 2;
                }
                else
                {
                    body.Append(c is '-' ? "-" : EscapeInClass(c));
                    i++;
                }
                first = false;
            }
            if (i >= glob.Length)
            {
                regex.Append(@"\[");
                return start + 1;
            }
            regex.Append(negate ? "(?![/])[^" : "[").Append(body).Append(']');
            return i + 1;
        }

        private static string EscapeInClass(char c) => c is '\\' or ']' or '[' or '^' ? "\\" + c : c.ToString();
    }
}
