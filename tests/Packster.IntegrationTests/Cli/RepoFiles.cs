namespace Packster.IntegrationTests.Cli;

/// <summary>Finds files of this repository (samples, spec) from the test's output folder.</summary>
public static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string Sample(string name) => Path.Combine(Root, "samples", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Packster.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Packster.sln not found above " + AppContext.BaseDirectory);
    }
}
