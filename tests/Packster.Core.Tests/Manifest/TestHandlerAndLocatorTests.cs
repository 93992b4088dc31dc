using Packster.Deployments;
using Packster.Handlers;
using Packster.Manifest;
using Packster.Testing;
using static Packster.Core.Tests.Manifest.ManifestTestSupport;

namespace Packster.Core.Tests.Manifest;

/// <summary>
/// spec/manifest.md § [handlers] <c>test</c> and § [locator]: the test handler takes the forms of every handler; locator
/// names are letters, digits, '-' and '_', their paths stay inside the deployment and glob only with *, ? and **.
/// </summary>
public sealed class TestHandlerAndLocatorTests
{
    [Fact]
    public void A_test_handler_is_a_path_or_a_table_like_every_handler()
    {
        var m = Parse(Head + "[handlers]\ntest = \"scripts/test.sh\"\n");
        Assert.Equal("scripts/test.sh", m.HandlerFor(HandlerAction.Test)!.Script.Value);
        var t = Parse(Head + "[handlers]\ntest = { script = \"scripts/test.py\", timeout = \"30s\", executor = [\"python3\", \"-u\"] }\n").HandlerFor(HandlerAction.Test)!;
        Assert.Equal(TimeSpan.FromSeconds(30), t.Timeout);
        Assert.Equal(["python3", "-u"], t.Executor!);
        AssertError(Fail(Head + "[handlers]\ntest = \"../test.sh\"\n"), ErrorCode.InvalidPath, 4, 8, "handlers.test", "'..' would leave the package");
        AssertError(Fail(Head + "[handlers]\ntets = \"t.sh\"\n"), ErrorCode.ManifestUnknownKey, 4, 1, "handlers.tets", "did you mean 'test'?");
    }

    // spec/handlers.md §When: `any` runs before `test` with "test" as its argument — but only for a package that has a
    // test handler; one without has no test action.
    [Fact]
    public void Any_runs_at_test_only_when_the_package_declares_a_test_handler()
    {
        var resolver = new ExecutorResolver(new ExecutableSearch("/usr/bin:/bin", isWindows: false));
        var withTest = HandlerSpecs.From(Parse(Head + "[handlers]\nany = \"a.sh\"\ntest = \"t.sh\"\n"));
        var plan = resolver.Plan(withTest, HandlerAction.Test, "/pkg");
        Assert.Equal([HandlerAction.Any, HandlerAction.Test], plan.Handlers.Select(h => h.Slot));
        Assert.Equal("test", plan.Handlers[0].Command.Arguments[^1]);
        Assert.Equal("test handler t.sh", plan.Handlers[1].Describe());

        var anyOnly = HandlerSpecs.From(Parse(Head + "[handlers]\nany = \"a.sh\"\n"));
        Assert.True(resolver.Plan(anyOnly, HandlerAction.Test, "/pkg").IsEmpty);
        Assert.False(resolver.Plan(anyOnly, HandlerAction.Install, "/pkg").IsEmpty);
    }

    [Fact]
    public void Locator_maps_names_to_paths_and_globs_in_manifest_order()
    {
        var m = Parse(Head + "[locator]\nhome = \".\"\njava = \"bin/java\"\nsite-packages = \"lib/python3*/site-packages\"\nlibs = \"lib/**/lib?.so\"\n");
        Assert.Equal(["home", "java", "site-packages", "libs"], m.Locators.Keys);
        Assert.Equal("lib/python3*/site-packages", m.Locators["site-packages"].Value);
        Assert.Empty(m.Locators["home"].Segments);
        Assert.Empty(Parse(Head).Locators);
    }

    [Theory]
    [InlineData("\"../etc\"", "'..' would leave the deployment")]
    [InlineData("\"/usr/bin\"", "relative to the deployment")]
    [InlineData("\"bin\\\\java\"", "use '/' as the separator")]
    [InlineData("\"bin/./java\"", "a '.' segment")]
    [InlineData("\"bin//java\"", "an empty segment")]
    [InlineData("\"lib/a**b\"", "'**' must be a whole segment")]
    [InlineData("\"lib/[ab]\"", "patterns use '*', '?' and '**' only")]
    [InlineData("\"\"", "it is empty")]
    public void Locator_paths_stay_inside_the_deployment(string value, string why)
    {
        AssertError(Fail(Head + $"[locator]\nhome = {value}\n"), ErrorCode.InvalidPath, 4, 8, "locator.home", why);
    }

    [Fact]
    public void Locator_names_and_values_are_checked()
    {
        AssertError(Fail(Head + "[locator]\n\"java home\" = \"bin\"\n"), ErrorCode.ManifestInvalid, 4, 1, "locator.\"java home\"", "use ASCII letters, digits, '-' and '_'");
        AssertError(Fail(Head + "[locator]\njava = 1\n"), ErrorCode.ManifestWrongType, 4, 8, "locator.java", "a path or glob");
        AssertError(Fail(Head + "[locatr]\njava = \"bin\"\n"), ErrorCode.ManifestUnknownKey, 3, 2, "locatr", "did you mean 'locator'?");
    }

    // spec/manifest.md § [locator]: resolution walks the pattern, not the tree.
    [Fact]
    public void A_locator_resolves_literals_globs_and_double_stars_below_the_deployment()
    {
        using var temp = new TempDirectory("locator");
        var root = temp["d"];
        foreach (var f in new[] { "bin/java", "lib/python3.12/site-packages/a.py", "lib/python3.13/site-packages/b.py", "lib/python2.7/site-packages/c.py", "lib/x/y/libz.so", "lib/liba.so" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, f))!);
            System.IO.File.WriteAllText(Path.Combine(root, f), "");
        }
        IReadOnlyList<string> Resolve(string p) =>
            Locator.Resolve(root, LocatorPattern.TryParse(p, out var pattern, out var why) ? pattern : throw new InvalidOperationException(why));

        Assert.Equal([""], Resolve("."));
        Assert.Equal([Path.Join("bin", "java")], Resolve("bin/java"));
        Assert.Empty(Resolve("bin/javac"));
        Assert.Equal([Path.Join("lib", "python3.12", "site-packages"), Path.Join("lib", "python3.13", "site-packages")], Resolve("lib/python3*/site-packages"));
        Assert.Equal([Path.Join("lib", "liba.so"), Path.Join("lib", "x", "y", "libz.so")], Resolve("lib/**/lib?.so"));
        Assert.Equal([Path.Join("lib", "python2.7", "site-packages", "c.py")], Resolve("lib/python?.?/*/c.py"));
    }

    [Theory]
    [InlineData("python:site-packages", true, "python", "site-packages")]
    [InlineData("python@3.12.0:home", true, "python@3.12.0", "home")]
    [InlineData("bin/*", false, "", "")]
    [InlineData("**/*.so", false, "", "")]
    [InlineData("Python:home", false, "", "")]
    [InlineData("python:lib/*", false, "", "")]
    public void An_id_colon_name_argument_is_a_locator_lookup(string argument, bool isLookup, string selector, string name)
    {
        Assert.Equal(isLookup, Locator.TryParseQuery(argument, out var s, out var n));
        if (isLookup) Assert.Equal((selector, name), (s, n));
    }
}
