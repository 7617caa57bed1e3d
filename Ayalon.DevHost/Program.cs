using Ayalon.DevHost.Cli;

namespace Ayalon.DevHost;

public static class Program
{
    public static Task<int> Main(string[] args) => DevHostCommandLine.InvokeAsync(args, Console.Out, Console.Error);
}
