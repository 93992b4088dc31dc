using Packster.Cli;
using Packster.Testing;

namespace Packster.Cli.Tests;

/// <summary>
/// PRODUCT.md "Command line": every command has --help; failures print one line on stderr and exit with the code
/// spec/errors.md assigns. Runs the command tree in-process with its own environment and output writers.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TempDirectory _home = new("packster-cli");

    public void Dispose() => _home.Dispose();

    private (int Exit, string Out, string Err) Run(params string[] args) => Run(null, args);

    /// <summary>Runs a command; with <paramref name="utf8Output"/>, standard output is that byte stream under the writer, as on Unix.</summary>
    private (int Exit, string Out, string Err) Run(Stream? utf8Output, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var env = new Dictionary<string, string>
        {
            ["PACKSTER_CONFIG"] = _home["config.toml"],
            ["PACKSTER_CACHE"] = _home["cache"],
            ["PACKSTER_DATA_HOME"] = _home["data"],
            ["HOME"] = _home.Path,
            ["CI"] = "true",
        };
        var exit = PacksterApp.Run(args, new CliContext(output, error, env, _home.Path, utf8Output));
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>A run makes only the command its first word names: each catalog entry's name is its command's.</summary>
    [Fact]
    public void Every_catalog_entry_makes_the_command_it_is_named_after_and_help_lists_them_all()
    {
        var context = new CliContext(new StringWriter(), new StringWriter(), new Dictionary<string, string>(), _home.Path, null);
        foreach (var entry in Packster.Cli.Commands.CommandCatalog.Entries)
        {
            Assert.Equal(entry.Name, entry.Create(context).Name);
            Assert.Equal([entry.Name], Packster.Cli.Commands.CommandCatalog.For(context, [entry.Name, "--help"]).Select(c => c.Name));
        }
        Assert.Equal(Packster.Cli.Commands.CommandCatalog.Entries.Count, Packster.Cli.Commands.CommandCatalog.For(context, ["--verbose", "list"]).Count());
        var (exit, help, _) = Run("--help");
        Assert.Equal(0, exit);
        Assert.All(Packster.Cli.Commands.CommandCatalog.Entries, e => Assert.Contains(e.Name, help, StringComparison.Ordinal));
        // A misspelt command is still answered with the nearest real one.
        var (code, _, err) = Run("instal-file");
        Assert.Equal(2, code);
        Assert.StartsWith("error[PST1000]: unknown command 'instal-file'; did you mean 'install-file'?", err, StringComparison.Ordinal);
    }

    // spec/errors.md PST1000: a whole-number option given something else is a usage error in words (exit 2), never a
    // .NET type name nor an unhandled exception (a validator that read the value crashed the process with exit 134).
    [Theory]
    [InlineData("--keep-generations takes a whole number of at least 1, not 'abc'", "gc", "--location", "x", "--keep-generations", "abc")]
    [InlineData("--keep-generations takes a whole number of at least 1, not '0'", "gc", "--location", "x", "--keep-generations", "0")]
    // A number too large for the option is said to be too large, not "at least 1", which it is.
    [InlineData("--keep-generations takes a whole number of at most 2147483647, not '99999999999'", "gc", "--location", "x", "--keep-generations", "99999999999")]
    [InlineData("--priority takes a whole number, not '1.5'", "source", "add", "s", "--type", "folder", "--url", "/tmp", "--priority", "1.5")]
    [InlineData("--strip-components takes a whole number, not 'two'", "pack", "--from", "a.tgz", "--strip-components", "two")]
    public void A_whole_number_option_given_anything_else_is_a_usage_error_in_words(string message, params string[] args)
    {
        var (exit, _, err) = Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error[PST1000]: {message}\n".ReplaceLineEndings(), err, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", err, StringComparison.Ordinal);
    }

    // spec/errors.md: a path of the wrong kind is named as such, not as missing.
    [Fact]
    public void A_file_given_as_a_location_or_a_folder_as_a_parameters_file_is_named_as_such()
    {
        var file = _home.Write("notes.txt", "x");
        var (code, _, err) = Run("list", "--location", file);
        Assert.Equal(5, code);
        Assert.Contains($"'{file}' is a file, not a location's folder", err, StringComparison.Ordinal);

        Assert.Equal(0, Run("location", "create", _home["loc"], "--id", "loc").Exit);
        Directory.CreateDirectory(_home["params"]);
        (code, _, err) = Run("install-file", file, "--location", "loc", "--parameters-file", _home["params"]);
        Assert.Equal(2, code);
        Assert.StartsWith($"error[PST1001]: parameters file '{_home["params"]}' is a folder", err, StringComparison.Ordinal);

        // Every file named on the command line alike: PST1001 for a folder, PST1002 for nothing there (exit 2).
        (code, _, err) = Run("bundle", "install", _home["params"], "--location", "loc");
        Assert.Equal(2, code);
        Assert.StartsWith($"error[PST1001]: bundle file '{_home["params"]}' is a folder", err, StringComparison.Ordinal);
        (code, _, err) = Run("key", "import", _home["no-such.pem"]);
        Assert.Equal(2, code);
        Assert.StartsWith($"error[PST1002]: key file '{_home["no-such.pem"]}' does not exist", err, StringComparison.Ordinal);
    }

    // spec/lockfile.md § Readers: `list --json` and `location show --json` write their JSON as UTF-8 bytes straight onto
    // standard output where it is a byte stream; the bytes are the text the writer route gives.
    [Fact]
    public void Json_written_as_bytes_onto_standard_output_is_the_json_the_text_writer_gets()
    {
        _home.Write("pkg/packster-manifest.toml", "id = \"hello\"\nversion = \"1.0.0\"\n[parameters.greeting]\ntype = \"string\"\ndefault = \"Hi\"\n"
            + "[shims]\nhello = \"bin/hello\"\n[provides]\nenv = { HELLO_GREETING = \"{param.greeting}\", HELLO_HOME = \"{deployment}\" }\n");
        _home.Write("pkg/bin/hello", "#!/bin/sh\necho hi\n");
        var (packed, package, packErr) = Run("pack", _home["pkg"], "-o", _home["out"]);
        Assert.True(packed == 0, packErr);
        Assert.Equal(0, Run("location", "create", _home["loc"], "--id", "bytes").Exit);
        foreach (var greeting in new[] { "Grüß dich", "\"quoted\" <b>" })
        {
            var (installed, _, installErr) = Run("install-file", package.Trim(), "--location", "bytes", "-p", "greeting=" + greeting, "--inactive");
            Assert.True(installed == 0, installErr);
        }
        foreach (var command in new[] { new[] { "list", "--location", "bytes", "--json" }, new[] { "location", "show", "bytes", "--json" } })
        {
            var (textExit, text, _) = Run(command);
            using var bytes = new MemoryStream();
            var (bytesExit, rest, _) = Run(bytes, command);
            Assert.Equal(0, textExit);
            Assert.Equal(0, bytesExit);
            Assert.Equal("", rest);
            Assert.Contains(command[0] == "list" ? "\"HELLO_GREETING\":\"Gr\\u00FC\\u00DF dich\"" : "\"id\": \"bytes\"", text, StringComparison.Ordinal);
            Assert.Equal(text.ReplaceLineEndings("\n"), System.Text.Encoding.UTF8.GetString(bytes.ToArray()));
        }
    }

    public static TheoryData<string[]> Commands => new()
    {
        new[] { "pack" }, new[] { "install-file" }, new[] { "uninstall" }, new[] { "use" }, new[] { "pin" }, new[] { "unpin" },
        new[] { "list" }, new[] { "which" }, new[] { "locate" }, new[] { "verify" }, new[] { "init" }, new[] { "shell" },
        new[] { "location", "create" }, new[] { "location", "setup" }, new[] { "location", "show" }, new[] { "location", "env" },
        new[] { "location", "enable" }, new[] { "location", "disable" }, new[] { "manifest", "check" },
        new[] { "manifest", "set" }, new[] { "manifest", "init" },
        new[] { "source", "add" }, new[] { "source", "list" }, new[] { "source", "remove" }, new[] { "source", "index" },
        new[] { "config", "trust" }, new[] { "config", "untrust" }, new[] { "config", "trusted" },
        new[] { "search" }, new[] { "publish" }, new[] { "install" }, new[] { "bundle", "install" }, new[] { "bundle", "delete" },
        new[] { "upgrade" }, new[] { "history" }, new[] { "gc" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_has_help(string[] command)
    {
        var (exit, output, _) = Run([.. command, "--help"]);
        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains(string.Join(' ', command), output, StringComparison.Ordinal);
    }

    // spec/manifest.md § Changing a manifest, § Starting a manifest: every option is described in --help.
    [Theory]
    [InlineData("set", new[] { "<key>", "<value>", "--json", "VALUE is JSON", "--manifest <FILE|DIR>", "passes 'manifest check'" })]
    [InlineData("init", new[] { "[<dir>]", "--id <id>", "--version <version>", "--force", "executable under bin/", ".exe, .cmd, .bat and .ps1" })]
    public void Manifest_set_and_init_describe_their_options(string command, string[] expected)
    {
        var (exit, output, _) = Run("manifest", command, "--help");
        Assert.Equal(0, exit);
        Assert.All(expected, e => Assert.Contains(e, output, StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_command_is_a_usage_error_in_one_line()
    {
        var (exit, output, error) = Run("instal-file", "x");
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith("error[PST1000]: ", error, StringComparison.Ordinal);
        Assert.Equal(2, error.Trim().Split('\n').Length); // the error and its hint
    }

    [Fact]
    public void A_missing_argument_names_the_command()
    {
        var (exit, _, error) = Run("install-file");
        Assert.Equal(2, exit);
        Assert.Contains("packster install-file --help", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_manifest_is_reported_as_file_line_column()
    {
        // Issue "Foundation": a malformed manifest gets file:line:column: message.
        var file = _home.Write("pkg/packster-manifest.toml", "id = \"ok\"\nversion = \"1.0.0\"\ndescription = \"x\n");
        var (exit, _, error) = Run("manifest", "check", _home["pkg"]);
        Assert.Equal(3, exit);
        Assert.Contains($"{file}:3:", error, StringComparison.Ordinal);
        Assert.StartsWith("error[PST2000]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_manifest_key_gets_a_did_you_mean()
    {
        _home.Write("pkg/packster-manifest.toml", "id = \"ok\"\nversion = \"1.0.0\"\ndescripton = \"x\"\n");
        var (exit, _, error) = Run("manifest", "check", _home["pkg"]);
        Assert.Equal(3, exit);
        Assert.Contains(":3:1:", error, StringComparison.Ordinal);
        Assert.Contains("description", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Pack_of_a_missing_folder_fails_clearly_and_writes_nothing()
    {
        var (exit, _, error) = Run("pack", _home["nope"], "-o", _home["out"]);
        Assert.Equal(2, exit);
        Assert.Contains(_home["nope"], error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_home["out"]));
    }

    [Fact]
    public void Init_prints_the_shell_functions_and_refuses_unknown_shells()
    {
        var (exit, output, _) = Run("init", "bash");
        Assert.Equal(0, exit);
        Assert.Contains("packster-use()", output, StringComparison.Ordinal);
        Assert.Contains("packster-deactivate()", output, StringComparison.Ordinal);
        var (bad, _, error) = Run("init", "tcsh");
        Assert.Equal(2, bad);
        Assert.Contains("tcsh", error, StringComparison.Ordinal);
    }

    // spec/errors.md PST1000, "the command line does not parse": no word is read as a response file. An argument
    // starting with '@' is an ordinary argument; expanding it read the folder it named before packster's checks
    // (an unhandled UnauthorizedAccessException, exit 134), and a file or folder named '@…' could not be named at all.
    [Fact]
    public void An_argument_starting_with_an_at_sign_is_an_ordinary_argument()
    {
        Directory.CreateDirectory(_home["loc1"]);
        var (exit, _, err) = Run("verify", "@" + _home["loc1"]);
        Assert.Equal(5, exit);
        Assert.StartsWith("error[PST5", err, StringComparison.Ordinal);
        Assert.Contains("@" + _home["loc1"], err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", err, StringComparison.Ordinal);
        Assert.DoesNotContain("esponse file", err, StringComparison.Ordinal);

        _home.Write("@pkg/packster-manifest.toml", "id = \"ok\"\nversion = \"1.0.0\"\ndescription = \"x\"\n");
        var (checkExit, _, checkErr) = Run("manifest", "check", "@pkg");
        Assert.True(checkExit == 0, checkErr);
    }

    // spec/errors.md PST1000: after '--' every word is an operand, '-h' and '--help' included: a command that takes
    // no such operand does not parse (exit 2, one error line), and help is not printed.
    [Theory]
    [InlineData("unexpected argument '-h': 'packster list' takes no more arguments", "list", "-l", "loc", "--", "-h")]
    [InlineData("unexpected argument '--help': 'packster list' takes no more arguments", "list", "-l", "loc", "--", "--help")]
    [InlineData("unexpected argument '-h': 'packster install-file' takes no more arguments", "install-file", "x.packster", "--", "-h")]
    [InlineData("unknown command '-h'", "--", "-h")]
    public void Help_after_a_double_dash_is_an_operand_not_a_help_request(string message, params string[] args)
    {
        var (exit, output, err) = Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error[PST1000]: {message}", err, StringComparison.Ordinal);
        Assert.DoesNotContain("Usage:", output + err, StringComparison.Ordinal);
    }

    // A command's listing in its parent's help says what its own usage line says: an argument it can go without is
    // optional ("packster history [<location>] [options]"), and `source` names every kind of source it configures.
    [Fact]
    public void Help_listings_mark_optional_arguments_and_source_names_oci_registries()
    {
        var (exit, help, _) = Run("--help");
        Assert.Equal(0, exit);
        Assert.Matches(@"(?m)^  history \[<location>\] +Show what", help);
        Assert.Matches(@"(?m)^  verify \[<location>\] +Check every", help);
        Assert.Matches(@"(?m)^  install-file <package-file> +Deploy", help);
        Assert.Contains("(folders, static HTTP(S) folders, Artifactory, OCI registries)", help, StringComparison.Ordinal);
        var (_, own, _) = Run("history", "--help");
        Assert.Contains(" history [<location>] [options]", own, StringComparison.Ordinal);
        var (_, location, _) = Run("location", "--help");
        Assert.Matches(@"(?m)^  show \[<location>\] +Show a location", location);
    }

    // The listing keeps its descriptions in one column when a row marked optional grew past the others' room
    // ("repair [<location>]" pushed its description one column out).
    [Theory]
    [InlineData("location")]
    [InlineData("service")]
    [InlineData("config")]
    [InlineData("source")]
    public void A_commands_listing_keeps_its_descriptions_in_one_column(string command)
    {
        var (exit, help, _) = Run(command, "--help");
        Assert.Equal(0, exit);
        var listing = help[help.IndexOf("Commands:", StringComparison.Ordinal)..].Split('\n').Skip(1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).ToList();
        Assert.True(listing.Count >= 2, help);
        var columns = listing.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^  \S(?:\S| (?! ))*  +").Length).Distinct().ToList();
        Assert.Single(columns);
    }

    // spec/licenses.md § Policy: the rule is a TOML array of strings in the file, and the line that confirms it shows
    // it as that TOML; and a count of one is said in the singular ("1 file").
    [Fact]
    public void A_license_rule_is_printed_as_toml_and_one_file_is_one_file()
    {
        var (exit, output, err) = Run("licenses", "deny", "copyleft");
        Assert.True(exit == 0, err);
        Assert.StartsWith("licenses.deny = [\"copyleft\"] in ", output, StringComparison.Ordinal);

        _home.Write("one/packster-manifest.toml", "id = \"one\"\nversion = \"1.0.0\"\n");
        var (packExit, _, packErr) = Run("pack", _home["one"], "-o", _home["dist"]);
        Assert.True(packExit == 0, packErr);
        Assert.Matches(@"packed one 1\.0\.0: 1 file, ", packErr);
    }

    // spec/licenses.md § Policy: "a deprecated id … or `UNLICENSED` … would match no package … It is refused with the
    // current ids to write instead"; "an unknown entry is PST2041 and nothing is written". Before, `licenses deny GPL-2.0`
    // wrote the entry.
    [Theory]
    [InlineData("deny", "GPL-2.0", "write GPL-2.0-only or GPL-2.0-or-later")]
    [InlineData("allow", "GPL-2.0", "write GPL-2.0-only or GPL-2.0-or-later")]
    [InlineData("allow", "UNLICENSED", "a package under such terms declares a LicenseRef-<name>")]
    public void A_license_rule_no_manifest_could_match_is_refused_and_nothing_is_written(string list, string entry, string instead)
    {
        _home.Write("config.toml", "# mine\n");
        var (exit, _, err) = Run("licenses", list, "MIT", entry);
        Assert.Equal(3, exit);
        var line = err.Split('\n')[0];
        Assert.StartsWith($"error[PST2041]: '{entry}' ", line, StringComparison.Ordinal);
        Assert.Contains("so no manifest may use it and the entry would match no package: " + instead, line, StringComparison.Ordinal);
        Assert.Equal("# mine\n", File.ReadAllText(_home["config.toml"]));
    }

    // spec/licenses.md § Expressions: `manifest check` refuses `UNLICENSED` (PST2040, exit 3) and says what to write.
    [Fact]
    public void Manifest_check_refuses_unlicensed_and_says_what_to_write_instead()
    {
        _home.Write("pkg/packster-manifest.toml", "id = \"pkg\"\nversion = \"1.0.0\"\nlicense = \"UNLICENSED\"\n");
        var (exit, _, err) = Run("manifest", "check", _home["pkg"]);
        Assert.Equal(3, exit);
        Assert.StartsWith("error[PST2040]: ", err, StringComparison.Ordinal);
        Assert.Contains("license 'UNLICENSED' is not a valid SPDX expression: 'UNLICENSED' is npm's word for \"not licensed for use by others\", "
            + "not an SPDX licence id: name the terms with a LicenseRef- (LicenseRef-Proprietary)", err.Split('\n')[0], StringComparison.Ordinal);
    }

    // spec/manifest.md, `homepage`: "wherever it is shown (`manifest check --json`, both SBOM formats) it is written as
    // the manifest gave it …: an escape the manifest wrote stays (`%41` is not decoded) and `\` never becomes `/`".
    // Before, manifest check printed Uri.AbsoluteUri: https://e.org/A%2f and https://e.org/a/b%5Ec.
    [Theory]
    [InlineData("https://e.org/%41%2f", "https://e.org/%41%2f")]
    [InlineData("https://e.org/a\\\\b^c", "https://e.org/a%5Cb%5Ec")]
    [InlineData("https://example.org/a b?c=<f>", "https://example.org/a%20b?c=%3Cf%3E")]
    public void Manifest_check_json_shows_the_homepage_as_the_sbom_does(string homepage, string shown)
    {
        _home.Write("pkg/packster-manifest.toml", $"id = \"pkg\"\nversion = \"1.0.0\"\nhomepage = \"{homepage}\"\n");
        var (exit, output, err) = Run("manifest", "check", _home["pkg"], "--json");
        Assert.True(exit == 0, err);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(shown, json.RootElement.GetProperty("homepage").GetString());
    }

    // spec/errors.md: "every failure prints one line". The parser's own errors (a value outside a fixed set, a missing
    // argument, option value or subcommand, a required option left out) are said in packster's words on that line,
    // never as the parser's multi-line, tab-indented text.
    [Theory]
    [InlineData("--compression must be one of zstd, deflate, not 'lzma'", "pack", "dir", "--compression", "lzma")]
    [InlineData("-f/--format must be one of cyclonedx, spdx, not 'xml'", "sbom", "--format", "xml")]
    [InlineData("--type must be one of folder, http, artifactory, oci, not 'ftp'", "source", "add", "x", "--type", "ftp", "--url", "x")]
    [InlineData("'packster location create' needs its <dir> argument", "location", "create")]
    [InlineData("-l/--location needs a value", "list", "-l")]
    [InlineData("'packster location' needs a subcommand: create, ", "location")]
    [InlineData("'packster key' needs a subcommand: ", "key")]
    [InlineData("'packster source add' needs --type", "source", "add", "x", "--url", "x")]
    public void A_parse_error_is_one_line_in_words(string message, params string[] args)
    {
        var (exit, _, err) = Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error[PST1000]: {message}", err, StringComparison.Ordinal);
        var lines = err.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("hint: run '", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain('\t', err);
    }

    // spec/errors.md PST1000 "an operand the command does not take": said in words, naming the word and the command.
    [Fact]
    public void An_operand_the_command_does_not_take_is_named()
    {
        var (exit, _, err) = Run("list", "@nothing-here");
        Assert.Equal(2, exit);
        Assert.StartsWith("error[PST1000]: unexpected argument '@nothing-here': 'packster list' takes no more arguments", err, StringComparison.Ordinal);
    }

    // spec/lockfile.md § Resolving --location; spec/errors.md PST1000 "the command line does not parse": a location
    // given as the argument and, differently, with --location is refused, never one of them silently ignored.
    [Theory]
    [InlineData("history")]
    [InlineData("verify")]
    [InlineData("shell")]
    [InlineData("location", "env")]
    public void A_location_given_twice_differently_is_a_usage_error(params string[] command)
    {
        Assert.Equal(0, Run("location", "create", _home["loc1"], "--id", "loc1").Exit);
        Assert.Equal(0, Run("location", "create", _home["loc2"], "--id", "loc2").Exit);
        foreach (var option in new[] { "-l", "--location" })
        {
            var (exit, output, err) = Run([.. command, "loc1", option, "loc2"]);
            Assert.Equal(2, exit);
            Assert.StartsWith("error[PST1000]: the location is given twice: 'loc1' and --location 'loc2'; give one of them", err, StringComparison.Ordinal);
            Assert.Empty(output);
        }
        // The same location both ways is one location.
        if (command[0] != "shell") Assert.Equal(0, Run([.. command, "loc1", "-l", "loc1"]).Exit);
    }

    // spec/activation.md: 'powershell' is another name for pwsh, for init and location env alike, and --help says so.
    [Fact]
    public void Powershell_is_documented_as_another_name_for_pwsh()
    {
        Assert.Contains("powershell is another name for pwsh", Run("init", "--help").Out, StringComparison.Ordinal);
        Assert.Contains("powershell is another name for pwsh", Run("location", "env", "--help").Out, StringComparison.Ordinal);
        Assert.Equal(0, Run("location", "create", _home["loc"], "--id", "loc").Exit);
        var pwsh = Run("location", "env", "loc", "--shell", "pwsh");
        Assert.Equal(0, pwsh.Exit);
        Assert.Equal(pwsh.Out, Run("location", "env", "loc", "--shell", "powershell").Out);
        Assert.Equal(Run("init", "pwsh").Out, Run("init", "powershell").Out);
    }

    // spec/errors.md PST8017 EnvironmentFileInvalid: "an environment file (spec/export.md) does not parse or breaks a
    // rule: line and column named, nothing changed" (exit 8), not PST2000.
    [Theory]
    [InlineData("sync")]
    [InlineData("import")]
    public void An_environment_file_that_does_not_parse_is_PST8017(string command)
    {
        var file = _home.Write("bad.toml", "format = 1\nfoo = \n");
        var (exit, _, err) = Run(command, file, "-l", _home["nowhere"], "--dry-run");
        Assert.Equal(8, exit);
        Assert.StartsWith($"error[PST8017]: {file}:2:", err, StringComparison.Ordinal);
    }

    // spec/toml.md §9.1: an edit of config.toml that does not parse fails with "the reader's error (… PST8007 for the
    // configuration file)"; every other reader of the file says the same (exit 8), keeping file:line:column.
    [Theory]
    [InlineData("source", "add", "s", "--type", "folder", "--url", "/tmp")]
    [InlineData("source", "remove", "s")]
    [InlineData("source", "list")]
    [InlineData("licenses", "allow", "MIT")]
    [InlineData("trust", "warn")]
    public void A_config_file_that_does_not_parse_is_PST8007(params string[] args)
    {
        var config = _home.Write("config.toml", "[sources.s]\ntype = \"folder\"\nurl = \n");
        var before = File.ReadAllText(config);
        var (exit, _, err) = Run(args);
        Assert.Equal(8, exit);
        Assert.StartsWith($"error[PST8007]: {config}:3:", err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(config));
    }
}
