using System.Reflection;

namespace Ayalon.Tests.Infra;

/// <summary>
/// The Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package (tools/bicep). Its restore location is written
/// into this assembly at build time (AssemblyMetadata "BicepPackageRoot"); <c>BICEP_PATH</c> overrides it.
/// </summary>
public static class BicepCli
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    public static string Locate()
    {
        var path = Environment.GetEnvironmentVariable("BICEP_PATH");
        if (string.IsNullOrWhiteSpace(path))
        {
            var packageRoot = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(a => a.Key == "BicepPackageRoot")?.Value;
            if (string.IsNullOrWhiteSpace(packageRoot))
            {
                throw new InvalidOperationException(
                    "BicepPackageRoot metadata is empty: restore Ayalon.Tests (PackageReference Azure.Bicep.CommandLine.linux-x64 with GeneratePathProperty) or set BICEP_PATH.");
            }
            path = Path.Combine(packageRoot, "tools", "bicep");
        }
        if (!File.Exists(path)) throw new FileNotFoundException("Bicep CLI not found", path);

        // NuGet extraction does not always keep the executable bit.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0) File.SetUnixFileMode(path, mode | execute);
        }
        return path;
    }

    public static Task<ToolProcess.Result> RunAsync(string workingDirectory, params string[] arguments) =>
        ToolProcess.RunAsync(Locate(), arguments, workingDirectory, RunTimeout);
}
