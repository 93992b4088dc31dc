using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Packster.Toml.Editing;

/// <summary>
/// Edits a TOML file a person also edits, in its syntax tree (Tomlyn's), so that everything the edit does not touch
/// (comments, blank lines, number formats, quoting, key order, line endings) stays byte for byte. Reading stays with
/// <see cref="TomlDocument"/>: the text must parse with it before an edit, and <see cref="Verified"/> re-reads the
/// edited text with it and refuses unless it means exactly the original document with the requested changes
/// (Tomlyn's own parse accepts duplicate keys and table redefinitions, so it is never trusted for that).
/// </summary>
public sealed class TomlEditor
{
    private const char ByteOrderMark = '\uFEFF';

    private readonly string _file;
    private readonly bool _byteOrderMark;
    private readonly string _newLine;
    private readonly DocumentSyntax _syntax;
    private readonly DocumentMeaning _intended;
    private List<SyntaxTrivia>? _orphanTrivia;

    private TomlEditor(string file, bool byteOrderMark, string newLine, DocumentSyntax syntax, DocumentMeaning intended)
    {
        _file = file;
        _byteOrderMark = byteOrderMark;
        _newLine = newLine;
        _syntax = syntax;
        _intended = intended;
    }

    /// <summary>
    /// Opens <paramref name="text"/> for editing; <paramref name="file"/> names it in messages.
    /// </summary>
    /// <exception cref="TomlException">the text is not valid TOML 1.1 (as <see cref="TomlDocument"/> reads it).</exception>
    /// <exception cref="TomlEditException">the syntax tree does not reproduce the text exactly, so it cannot be edited safely.</exception>
    public static TomlEditor Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        var bom = text.Length > 0 && text[0] == ByteOrderMark;
        var body = bom ? text[1..] : text;
        var meaning = DocumentMeaning.Of(TomlDocument.Parse(body, file, TomlVersion.V1_1));
        var syntax = SyntaxParser.Parse(body, file, true);
        if (syntax.HasErrors)
        {
            var first = syntax.Diagnostics.FirstOrDefault();
            throw new TomlEditException($"{file}: its syntax tree cannot be built ({first?.Message ?? "unknown reason"}), so it cannot be edited without losing its formatting");
        }
        if (!string.Equals(syntax.ToString(), body, StringComparison.Ordinal))
            throw new TomlEditException($"{file}: its syntax tree does not reproduce the text exactly, so it cannot be edited without changing it elsewhere");
        var newLine = body.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var editor = new TomlEditor(file, bom, newLine, syntax, meaning);
        // Comments of a document without keys or tables are the document's own trailing trivia, written after
        // everything: they are kept as the text that stands before whatever is added.
        if (syntax.TrailingTrivia is { Count: > 0 } trailing)
        {
            syntax.TrailingTrivia = null;
            if (LastToken(syntax) is { } last) last.TrailingTrivia = [.. last.TrailingTrivia ?? [], .. trailing];
            else editor._orphanTrivia = trailing;
        }
        return editor;
    }

    /// <summary>The text as edited so far (not yet checked; see <see cref="Verified"/>).</summary>
    public string Text
    {
        get
        {
            var body = _syntax.ToString();
            if (_orphanTrivia is not null) body += string.Concat(_orphanTrivia.Select(t => t.Text));
            return _byteOrderMark ? ByteOrderMark + body : body;
        }
    }

    /// <summary>True when the document (as edited so far) has a value at <paramref name="path"/>.</summary>
    public bool Contains(IReadOnlyList<string> path)
    {
        CheckPath(path);
        return _intended.Contains(path);
    }

    /// <summary>
    /// Sets the value at <paramref name="path"/> (keys, not dotted text: <c>["platform", "os"]</c>). An existing value is
    /// replaced where it stands (its line's comment kept; an equal value is left as written); a new key goes after the
    /// last key of its table, and a new table is appended at the end of the document.
    /// </summary>
    /// <exception cref="TomlEditException">the path goes through a value that is not a table, or names a table.</exception>
    public void Set(IReadOnlyList<string> path, TomlValue value)
    {
        CheckPath(path);
        ArgumentNullException.ThrowIfNull(value);
        var node = TomlDocument.Parse("v = " + value.Text, "value", TomlVersion.V1_1)["v"];
        if (_intended.Holds(path, node)) return;
        if (Headers().Any(h => StartsWith(h.Path, path)))
            throw new TomlEditException($"'{DocumentMeaning.Display(path)}' is a table ([{DocumentMeaning.Display(path)}]); set its keys one by one");
        _intended.Set(path, node);
        var syntax = ValueSyntaxOf(value);
        if (!TryReplace(path, syntax)) Add(path, syntax);
    }

    /// <summary>Removes <paramref name="path"/> (a key, or a table with everything in it); false when it is not there.</summary>
    /// <exception cref="TomlEditException">the value is defined in a way that cannot be removed on its own (e.g. inside an array of tables).</exception>
    public bool Remove(IReadOnlyList<string> path)
    {
        CheckPath(path);
        if (!_intended.Contains(path)) return false;
        _intended.Remove(path);
        var hadKeys = Headers().Where(h => h.Table is TableSyntax && h.Table.Items.ChildrenCount > 0 && IsProperPrefix(h.Path, path)).Select(h => h.Table).ToHashSet();
        var hadInlineKeys = Entries().Where(e => IsProperPrefix(e.Path, path) && e.KeyValue.Value is InlineTableSyntax { Items.ChildrenCount: > 0 }).Select(e => e.KeyValue).ToHashSet();
        var removed = false;
        foreach (var header in Headers().Where(h => StartsWith(h.Path, path)).ToList())
        {
            RemoveNode(header.Table, _syntax.Tables, ownsBlankLineAbove: true);
            removed = true;
        }
        foreach (var entry in Entries().ToList())
        {
            if (StartsWith(entry.Path, path))
            {
                RemoveNode(entry.KeyValue, entry.List, ownsBlankLineAbove: false);
                removed = true;
            }
            else if (IsProperPrefix(entry.Path, path) && entry.KeyValue.Value is InlineTableSyntax inline)
            {
                removed |= RemoveFromInline(inline, path.Skip(entry.Path.Count).ToList());
            }
        }
        if (!removed)
            throw new TomlEditException($"'{DocumentMeaning.Display(path)}' is not defined by a key or a table header of its own, so it cannot be removed on its own");
        // A [header] whose last key this removed goes with it (so setting a new key and removing it again gives back
        // the file), and so does a table left empty that only existed to hold what was removed ([sources.corp] makes
        // 'sources'). A header that had no keys before is the author's, and stays.
        for (var length = path.Count - 1; length > 0; length--)
        {
            var parent = path.Take(length).ToList();
            var header = Headers().FirstOrDefault(h => SamePath(h.Path, parent));
            if (header?.Table is TableSyntax { Items.ChildrenCount: 0 } emptied && hadKeys.Contains(emptied))
            {
                RemoveNode(emptied, _syntax.Tables, ownsBlankLineAbove: true);
                header = null;
            }
            // The same for an inline table (`sources = { corp = {…} }`): a key whose table this emptied goes, one written empty stays.
            if (header is null && Entries().FirstOrDefault(e => SamePath(e.Path, parent)) is { KeyValue.Value: InlineTableSyntax { Items.ChildrenCount: 0 } } inline
                && hadInlineKeys.Contains(inline.KeyValue))
            {
                RemoveNode(inline.KeyValue, inline.List, ownsBlankLineAbove: false);
            }
            if (header is null && _intended.IsEmptyTable(parent) && !Entries().Any(e => SamePath(e.Path, parent))) _intended.Remove(parent);
        }
        return true;
    }

    /// <summary>
    /// The edited text, after checking that it reads (with <see cref="TomlDocument"/>, TOML 1.1) as the original document
    /// with exactly the requested changes.
    /// </summary>
    /// <exception cref="TomlEditException">it does not parse, or means something else: write nothing.</exception>
    public string Verified()
    {
        var text = Text;
        TomlTable reread;
        try
        {
            reread = TomlDocument.Parse(_byteOrderMark ? text[1..] : text, _file, TomlVersion.V1_1);
        }
        catch (TomlException e)
        {
            throw new TomlEditException($"the edited text would not be valid TOML ({e.Message})", e);
        }
        if (_intended.FirstDifference(DocumentMeaning.Of(reread)) is { } difference)
            throw new TomlEditException($"the edited text would not mean what was asked: {difference}");
        return text;
    }

    private static void CheckPath(IReadOnlyList<string> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Count == 0) throw new ArgumentException("a key path has at least one key", nameof(path));
    }

    // ---- finding things in the tree -------------------------------------------------------------------------------

    private sealed record Entry(IReadOnlyList<string> Path, KeyValueSyntax KeyValue, SyntaxList<KeyValueSyntax> List, IReadOnlyList<string> HostPath);

    private sealed record Header(IReadOnlyList<string> Path, TableSyntaxBase Table);

    private IEnumerable<Header> Headers()
    {
        foreach (var table in _syntax.Tables)
        {
            if (table.Name is { } name) yield return new Header(KeyPath(name), table);
        }
    }

    /// <summary>Every key/value line with its full path; keys inside arrays of tables have no single path and are left out.</summary>
    private IEnumerable<Entry> Entries()
    {
        foreach (var kv in _syntax.KeyValues) yield return new Entry(KeyPath(kv.Key!), kv, _syntax.KeyValues, []);
        foreach (var table in _syntax.Tables)
        {
            if (table is not TableSyntax || table.Name is null) continue;
            var host = KeyPath(table.Name);
            foreach (var kv in table.Items) yield return new Entry([.. host, .. KeyPath(kv.Key!)], kv, table.Items, host);
        }
    }

    private static List<string> KeyPath(KeySyntax key)
    {
        var parts = new List<string> { Part(key.Key!) };
        foreach (var dotted in key.DotKeys) parts.Add(Part(dotted.Key!));
        return parts;
    }

    private static string Part(BareKeyOrStringValueSyntax key) => key switch
    {
        BareKeySyntax bare => bare.Key!.Text!,
        StringValueSyntax quoted => quoted.Value!,
        _ => throw new TomlEditException($"unexpected key syntax {key.GetType().Name}"),
    };

    private static bool StartsWith(IReadOnlyList<string> path, IReadOnlyList<string> prefix) =>
        path.Count >= prefix.Count && prefix.Select((p, i) => string.Equals(p, path[i], StringComparison.Ordinal)).All(x => x);

    private static bool IsProperPrefix(IReadOnlyList<string> prefix, IReadOnlyList<string> path) => prefix.Count < path.Count && StartsWith(path, prefix);

    private static bool SamePath(IReadOnlyList<string> a, IReadOnlyList<string> b) => a.Count == b.Count && StartsWith(a, b);

    // ---- setting ----------------------------------------------------------------------------------------------------

    private bool TryReplace(IReadOnlyList<string> path, ValueSyntax value)
    {
        foreach (var entry in Entries())
        {
            if (SamePath(entry.Path, path))
            {
                if (!(entry.KeyValue.Value is ArraySyntax written && value is ArraySyntax wanted && Extend(written, wanted))) ReplaceValue(entry.KeyValue, value);
                return true;
            }
            if (IsProperPrefix(entry.Path, path) && entry.KeyValue.Value is InlineTableSyntax inline)
            {
                SetInInline(inline, path.Skip(entry.Path.Count).ToList(), value);
                return true;
            }
        }
        return false;
    }

    private void Add(IReadOnlyList<string> path, ValueSyntax value)
    {
        var parent = path.Take(path.Count - 1).ToList();
        if (parent.Count == 0)
        {
            AppendKeyValue(_syntax.KeyValues, NewKeyValue(path, value), root: true);
            return;
        }
        if (Headers().FirstOrDefault(h => h.Table is TableSyntax && SamePath(h.Path, parent)) is { } own)
        {
            AppendKeyValue(own.Table.Items, NewKeyValue([path[^1]], value), root: false);
            return;
        }
        // The nearest table header above the parent (or the root) holds the key as a dotted key when it already has
        // dotted keys for that table; otherwise the parent gets a [header] of its own at the end.
        var host = Headers().Where(h => h.Table is TableSyntax && IsProperPrefix(h.Path, parent)).MaxBy(h => h.Path.Count);
        var hostPath = host?.Path ?? [];
        var list = host?.Table.Items ?? _syntax.KeyValues;
        var next = path[hostPath.Count];
        if (list.Any(kv => string.Equals(KeyPath(kv.Key!)[0], next, StringComparison.Ordinal)))
        {
            AppendKeyValue(list, NewKeyValue(path.Skip(hostPath.Count).ToList(), value), root: host is null);
            return;
        }
        var table = new TableSyntax(NewKey(parent)) { EndOfLineToken = NewLineToken() };
        table.Items.Add(NewKeyValue([path[^1]], value));
        AppendTable(table);
    }

    /// <summary>
    /// When <paramref name="wanted"/> is <paramref name="written"/> with items added at its end (strings, compared by
    /// value), adds those items to the array as written, so its items, their comments and its layout stay (spec/toml.md
    /// §9); false otherwise, and nothing is changed. A new item takes the last one's place on its line: on a line of its
    /// own with the last one's indentation when the array has one item per line, else after a comma and a space.
    /// </summary>
    private static bool Extend(ArraySyntax written, ArraySyntax wanted)
    {
        var count = written.Items.ChildrenCount;
        if (count == 0 || wanted.Items.ChildrenCount <= count) return false;
        for (var i = 0; i < count; i++)
        {
            if (written.Items.GetChild(i)!.Value is not StringValueSyntax a || wanted.Items.GetChild(i)!.Value is not StringValueSyntax b
                || !string.Equals(a.Value, b.Value, StringComparison.Ordinal)) return false;
        }
        var added = new List<ValueSyntax>();
        for (var i = count; i < wanted.Items.ChildrenCount; i++)
        {
            var item = wanted.Items.GetChild(i)!;
            if (item.Value is not StringValueSyntax value) return false;
            added.Add(value);
        }
        var last = written.Items.GetChild(count - 1)!;
        // A line break and the indentation before an item are what follows the token before it (the previous item's
        // comma, or '['): an array with one item per line has a line break there.
        var before = (count >= 2 ? written.Items.GetChild(count - 2)!.Comma : written.OpenBracket)?.TrailingTrivia;
        var breakAt = before?.FindLastIndex(t => t.Kind == TokenKind.NewLine) ?? -1;
        var perLine = breakAt >= 0;
        var indent = perLine ? before!.Skip(breakAt + 1).Select(Copy).ToList() : [];
        // What follows the last item: after its comma, or after its value when it has none.
        var trailingComma = last.Comma is not null;
        var holder = last.Comma ?? LastToken(last.Value!)!;
        var after = holder.TrailingTrivia?.ToList() ?? [];
        holder.TrailingTrivia = null;
        last.Comma ??= new SyntaxToken(TokenKind.Comma, ",");
        // Per line, that splits at its last line break: what stands before it (a comment) stays with the old last
        // item; the break and what precedes ']' go to the new last item.
        var endAt = after.FindLastIndex(t => t.Kind == TokenKind.NewLine);
        var head = perLine && endAt >= 0 ? after.Take(endAt).ToList() : [];
        var tail = perLine && endAt >= 0 ? after.Skip(endAt).ToList() : after;
        SyntaxTrivia NextLine() => new(TokenKind.NewLine, (after.ElementAtOrDefault(endAt) ?? before![breakAt]).Text!);
        last.Comma.TrailingTrivia = perLine ? [.. head, NextLine(), .. indent.Select(Copy)] : null;
        for (var i = 0; i < added.Count; i++)
        {
            var value = added[i];
            FirstToken(value)!.LeadingTrivia = perLine ? null : [Space()];
            var isLast = i == added.Count - 1;
            var rest = isLast ? tail : perLine ? [NextLine(), .. indent.Select(Copy)] : null;
            SyntaxToken? comma = null;
            if (!isLast || trailingComma) comma = new SyntaxToken(TokenKind.Comma, ",") { TrailingTrivia = rest };
            else LastToken(value)!.TrailingTrivia = rest;
            written.Items.Add(new ArrayItemSyntax { Value = Detached(value), Comma = comma });
        }
        return true;
    }

    /// <summary><paramref name="value"/>, taken out of the array item that holds it so it can be put into another.</summary>
    private static ValueSyntax Detached(ValueSyntax value)
    {
        if (value.Parent is ArrayItemSyntax holder) holder.Value = new BooleanValueSyntax(false);
        return value;
    }

    private static void ReplaceValue(KeyValueSyntax kv, ValueSyntax value)
    {
        // What followed the old value on its line (spaces, a comment) follows the new one.
        var trailing = LastToken(kv.Value!)?.TrailingTrivia;
        kv.Value = value;
        if (LastToken(value) is { } last) last.TrailingTrivia = trailing;
    }

    private void SetInInline(InlineTableSyntax table, IReadOnlyList<string> path, ValueSyntax value)
    {
        foreach (var item in table.Items)
        {
            var kv = item.KeyValue!;
            var key = KeyPath(kv.Key!);
            if (SamePath(key, path))
            {
                ReplaceValue(kv, value);
                return;
            }
            if (IsProperPrefix(key, path) && kv.Value is InlineTableSyntax inner)
            {
                SetInInline(inner, path.Skip(key.Count).ToList(), value);
                return;
            }
        }
        var added = NewKeyValue(path, value);
        added.EndOfLineToken = null;
        var count = table.Items.ChildrenCount;
        if (count == 0)
        {
            FirstToken(added)!.LeadingTrivia = [Space()];
            LastToken(added)!.TrailingTrivia = [Space()];
            table.Items.Add(new InlineTableItemSyntax(added));
            return;
        }
        var last = table.Items.GetChild(count - 1)!;
        if (last.Comma is null)
        {
            // `{ a = 1 }` → `{ a = 1, b = 2 }`: what stood before the `}` now follows the new pair.
            var lastToken = LastToken(last.KeyValue!)!;
            LastToken(added)!.TrailingTrivia = lastToken.TrailingTrivia;
            lastToken.TrailingTrivia = null;
            last.Comma = new SyntaxToken(TokenKind.Comma, ",") { TrailingTrivia = [Space()] };
            table.Items.Add(new InlineTableItemSyntax(added));
        }
        else
        {
            // A trailing comma (TOML 1.1, one pair per line): the new pair takes the last one's indentation.
            FirstToken(added)!.LeadingTrivia = FirstToken(last.KeyValue!)?.LeadingTrivia?.Select(Copy).ToList();
            var comma = new SyntaxToken(TokenKind.Comma, ",") { TrailingTrivia = last.Comma.TrailingTrivia };
            last.Comma.TrailingTrivia = last.Comma.TrailingTrivia?.Select(Copy).ToList();
            table.Items.Add(new InlineTableItemSyntax(added) { Comma = comma });
        }
    }

    private void AppendKeyValue(SyntaxList<KeyValueSyntax> list, KeyValueSyntax kv, bool root)
    {
        var count = list.ChildrenCount;
        if (count > 0)
        {
            var last = list.GetChild(count - 1)!;
            last.EndOfLineToken ??= NewLineToken();
            // Blank lines and comments after the last key (before the next table) stay below the new key.
            var indentation = TriviaAbove(last).LastOrDefault();
            kv.EndOfLineToken!.TrailingTrivia = last.EndOfLineToken.TrailingTrivia;
            last.EndOfLineToken.TrailingTrivia = indentation?.Kind == TokenKind.Whitespaces ? [Copy(indentation)] : null;
            list.Add(kv);
            return;
        }
        if (!root)
        {
            var table = (TableSyntaxBase)list.Parent!;
            table.EndOfLineToken ??= NewLineToken();
            kv.EndOfLineToken!.TrailingTrivia = table.EndOfLineToken.TrailingTrivia;
            table.EndOfLineToken.TrailingTrivia = null;
            list.Add(kv);
            return;
        }
        // The first key of the root goes above the first table: the file's opening comment block (up to its last
        // blank line) stays above it, the comments that belong to the table stay with the table.
        if (_syntax.Tables.ChildrenCount > 0 && _syntax.Tables.GetChild(0) is { } header)
        {
            var above = Leading(header);
            var split = OwnedStart(above, ownsBlankLineAbove: true);
            kv.LeadingTrivia = above.Take(split).ToList();
            var rest = above.Skip(split).ToList();
            ClearLeading(header);
            header.LeadingTrivia = rest;
        }
        else if (_orphanTrivia is not null)
        {
            FirstToken(kv)!.LeadingTrivia = _orphanTrivia;
            _orphanTrivia = null;
        }
        list.Add(kv);
    }

    private void AppendTable(TableSyntaxBase table)
    {
        if (LastToken(_syntax) is { } last)
        {
            EnsureEndsLine(last);
            FirstToken(table)!.LeadingTrivia = [NewLineTrivia()];
        }
        else if (_orphanTrivia is not null)
        {
            // The comments' last line is ended first, then one blank line, as above any appended header: a final
            // comment without a newline would otherwise run into the header (or swallow it).
            FirstToken(table)!.LeadingTrivia = _orphanTrivia is [.., { Kind: TokenKind.NewLine }]
                ? [.. _orphanTrivia, NewLineTrivia()]
                : [.. _orphanTrivia, NewLineTrivia(), NewLineTrivia()];
            _orphanTrivia = null;
        }
        _syntax.Tables.Add(table);
    }

    /// <summary>The document's last line must end before something is appended, or a comment would swallow it.</summary>
    private void EnsureEndsLine(SyntaxToken last)
    {
        if (last.TrailingTrivia is { Count: > 0 } trailing)
        {
            if (trailing[^1].Kind != TokenKind.NewLine) trailing.Add(NewLineTrivia());
            return;
        }
        if (last.TokenKind == TokenKind.NewLine) return;
        // The last key or header has no end-of-line token: give it one.
        switch (last.Parent)
        {
            case KeyValueSyntax kv when kv.EndOfLineToken is null: kv.EndOfLineToken = NewLineToken(); return;
            case TableSyntaxBase t when t.EndOfLineToken is null: t.EndOfLineToken = NewLineToken(); return;
        }
        var owner = Entries().LastOrDefault()?.KeyValue;
        if (owner is not null && owner.EndOfLineToken is null) owner.EndOfLineToken = NewLineToken();
        else last.TrailingTrivia = [NewLineTrivia()];
    }

    // ---- removing ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// Removes a key/value line or a table with the comment lines directly above it (and, for a table, the blank line
    /// that separates it); every other line, above and below, stays.
    /// </summary>
    private void RemoveNode<T>(T node, SyntaxList<T> list, bool ownsBlankLineAbove) where T : SyntaxNode
    {
        var tokens = Tokens(_syntax).ToList();
        var first = FirstToken(node)!;
        var last = LastToken(node)!;
        var firstIndex = tokens.IndexOf(first);
        var lastIndex = tokens.IndexOf(last);
        var before = firstIndex > 0 ? tokens[firstIndex - 1] : null;
        var after = lastIndex + 1 < tokens.Count ? tokens[lastIndex + 1] : null;
        var above = TriviaAbove(node);
        // The comment lines at the very top of the file are the file's own, not its first key's or table's.
        var kept = above.Take(OwnedStart(above, ownsBlankLineAbove, ownsComments: before is not null)).ToList();
        if (last.TrailingTrivia is { } below) kept.AddRange(below);
        list.RemoveChild(node);
        if (before is not null) before.TrailingTrivia = kept;
        else if (after is not null) after.LeadingTrivia = [.. kept, .. after.LeadingTrivia ?? []];
        else _orphanTrivia = kept;
    }

    /// <summary>The trivia between the previous token and <paramref name="node"/>: the lines above it and its indentation.</summary>
    private List<SyntaxTrivia> TriviaAbove(SyntaxNode node)
    {
        var first = FirstToken(node);
        var tokens = Tokens(_syntax).ToList();
        var index = first is null ? -1 : tokens.IndexOf(first);
        var above = new List<SyntaxTrivia>();
        if (index > 0 && tokens[index - 1].TrailingTrivia is { } trailing) above.AddRange(trailing);
        above.AddRange(Leading(node));
        return above;
    }

    /// <summary>
    /// The leading trivia of a node: Tomlyn keeps the lines above the document's first node on that node (or on the first
    /// node below it), and those above any other node on the token before it.
    /// </summary>
    private static List<SyntaxTrivia> Leading(SyntaxNode node) => [.. LeftSpine(node).SelectMany(n => n.LeadingTrivia ?? [])];

    private static void ClearLeading(SyntaxNode node)
    {
        foreach (var n in LeftSpine(node)) n.LeadingTrivia = null;
    }

    private static IEnumerable<SyntaxNode> LeftSpine(SyntaxNode node)
    {
        for (SyntaxNode? n = node; n is not null; n = FirstChild(n)) yield return n;
    }

    private static SyntaxNode? FirstChild(SyntaxNode node)
    {
        for (var i = 0; i < node.ChildrenCount; i++)
        {
            if (node.GetChild(i) is { } child) return child;
        }
        return null;
    }

    private static bool RemoveFromInline(InlineTableSyntax table, IReadOnlyList<string> path)
    {
        var removed = false;
        for (var i = 0; i < table.Items.ChildrenCount; i++)
        {
            var item = table.Items.GetChild(i)!;
            var kv = item.KeyValue!;
            var key = KeyPath(kv.Key!);
            if (StartsWith(key, path))
            {
                var count = table.Items.ChildrenCount;
                if (i == count - 1 && i > 0)
                {
                    // The new last pair loses its comma; what stood before the `}` stays there.
                    var previous = table.Items.GetChild(i - 1)!;
                    var trailing = (item.Comma is { } c ? c : LastToken(kv))?.TrailingTrivia;
                    if (item.Comma is null) previous.Comma = null;
                    LastToken(previous.KeyValue!)!.TrailingTrivia = item.Comma is null ? trailing : LastToken(previous.KeyValue!)!.TrailingTrivia;
                }
                else if (i == 0 && count > 1)
                {
                    FirstToken(table.Items.GetChild(1)!.KeyValue!)!.LeadingTrivia = FirstToken(kv)?.LeadingTrivia;
                }
                table.Items.RemoveChildAt(i);
                i--;
                removed = true;
            }
            else if (IsProperPrefix(key, path) && kv.Value is InlineTableSyntax inner)
            {
                removed |= RemoveFromInline(inner, path.Skip(key.Count).ToList());
            }
        }
        return removed;
    }

    /// <summary>
    /// Where, in the trivia between the previous line and a node, the part that belongs to the node starts: the comment
    /// lines directly above it (and the indentation before it), and with <paramref name="ownsBlankLineAbove"/> the one
    /// blank line above those.
    /// </summary>
    private static int OwnedStart(List<SyntaxTrivia> run, bool ownsBlankLineAbove, bool ownsComments = true)
    {
        var lines = new List<(int Start, bool Blank)>();
        var start = 0;
        var comment = false;
        for (var i = 0; i < run.Count; i++)
        {
            if (run[i].Kind == TokenKind.Comment) comment = true;
            if (run[i].Kind != TokenKind.NewLine) continue;
            lines.Add((start, !comment));
            start = i + 1;
            comment = false;
        }
        var owned = start;
        var line = lines.Count - 1;
        while (line >= 0 && !lines[line].Blank) line--;
        if (!ownsComments) return ownsBlankLineAbove && line >= 0 && line == lines.Count - 1 ? lines[line].Start : owned;
        if (line < lines.Count - 1) owned = lines[line + 1].Start;
        if (ownsBlankLineAbove && line >= 0) owned = lines[line].Start;
        return owned;
    }

    // ---- making nodes -----------------------------------------------------------------------------------------------

    private static ValueSyntax ValueSyntaxOf(TomlValue value)
    {
        var document = SyntaxParser.Parse("v = " + value.Text + "\n", "value", true);
        if (document.HasErrors || document.KeyValues.ChildrenCount != 1)
            throw new TomlEditException($"the value {value.Text} has no TOML syntax tree");
        var kv = document.KeyValues.GetChild(0)!;
        var node = kv.Value!;
        kv.Value = new BooleanValueSyntax(false); // detaches the node so it can be given to another key
        return node;
    }

    private KeyValueSyntax NewKeyValue(IReadOnlyList<string> key, ValueSyntax value) =>
        new(NewKey(key), value) { EndOfLineToken = NewLineToken() };

    /// <summary>A key of several parts; <c>new KeySyntax("a.b")</c> would be one quoted key <c>"a.b"</c>.</summary>
    private static KeySyntax NewKey(IReadOnlyList<string> parts)
    {
        var key = new KeySyntax(parts[0]);
        foreach (var part in parts.Skip(1)) key.DotKeys.Add(new DottedKeyItemSyntax(part));
        return key;
    }

    private SyntaxToken NewLineToken() => new(TokenKind.NewLine, _newLine);

    private SyntaxTrivia NewLineTrivia() => new(TokenKind.NewLine, _newLine);

    private static SyntaxTrivia Space() => new(TokenKind.Whitespaces, " ");

    private static SyntaxTrivia Copy(SyntaxTrivia t) => new(t.Kind, t.Text!);

    // ---- walking tokens ---------------------------------------------------------------------------------------------

    private static IEnumerable<SyntaxToken> Tokens(SyntaxNode node)
    {
        if (node is SyntaxToken token)
        {
            yield return token;
            yield break;
        }
        for (var i = 0; i < node.ChildrenCount; i++)
        {
            if (node.GetChild(i) is not { } child) continue;
            foreach (var t in Tokens(child)) yield return t;
        }
    }

    private static SyntaxToken? FirstToken(SyntaxNode node) => Tokens(node).FirstOrDefault();

    private static SyntaxToken? LastToken(SyntaxNode node)
    {
        if (node is SyntaxToken token) return token;
        for (var i = node.ChildrenCount - 1; i >= 0; i--)
        {
            if (node.GetChild(i) is { } child && LastToken(child) is { } last) return last;
        }
        return null;
    }
}
