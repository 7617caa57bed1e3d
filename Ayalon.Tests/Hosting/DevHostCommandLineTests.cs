using Ayalon.DevHost.Cli;

namespace Ayalon.Tests.Hosting;

/// <summary>The DevHost's one command line: help for every command, and bad arguments refused before anything runs.</summary>
[Trait("Category", "Unit")]
public sealed class DevHostCommandLineTests
{
    public static TheoryData<string> Commands => ["replay", "simulator", "audit", "seed-cycles", "bare"];

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await DevHostCommandLine.InvokeAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Help_lists_every_command_and_the_hosts_own_option()
    {
        var (code, output, error) = await Run("--help");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        foreach (var command in Commands) Assert.Matches($@"(?m)^\s+{command}\s+\S", output);
        Assert.Contains("--urls <URL>", output);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_answers_help_with_its_usage_and_exit_code_0(string command)
    {
        var (code, output, _) = await Run(command, "--help");

        Assert.Equal(0, code);
        Assert.Contains($"{DevHostCommandLine.Name} {command} [options]", output);
        Assert.Contains("-h, --help", output);
    }

    [Fact]
    public async Task An_unknown_option_stops_the_host_before_it_starts_with_exit_code_2()
    {
        var (code, output, error) = await Run("--no-such-option");

        Assert.Equal(CommandLineRunner.ExitBadArguments, code);
        Assert.Equal("", output);
        Assert.Contains("Unrecognized command or argument '--no-such-option'", error);
        Assert.Contains($"Run '{DevHostCommandLine.Name} --help'", error);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task An_unknown_option_of_any_command_exits_2_naming_the_command_and_the_option(string command)
    {
        var (code, output, error) = await Run(command, "--no-such-option");

        Assert.Equal(CommandLineRunner.ExitBadArguments, code);
        Assert.Equal("", output);
        Assert.StartsWith($"{command}: ", error, StringComparison.Ordinal);
        Assert.Contains("'--no-such-option'", error);
        Assert.Contains($"Run '{DevHostCommandLine.Name} {command} --help'", error);
    }
}
