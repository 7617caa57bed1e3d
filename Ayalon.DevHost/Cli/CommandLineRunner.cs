using System.CommandLine;
using System.Globalization;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Ayalon.DevHost.Cli;

/// <summary>
/// Parses and runs one DevHost command with the exit-code contract every command shares: <c>--help</c> prints to
/// stdout and exits 0; an unknown option, a missing or malformed value or a failed validation prints
/// <c>COMMAND: message</c> per problem and a pointer to <c>--help</c> on stderr and exits 2; otherwise the command's
/// own exit code.
/// </summary>
public static class CommandLineRunner
{
    public const int ExitBadArguments = 2;

    public static async Task<int> InvokeAsync(Command command, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(args);
        // A subcommand run on its own (tests call the commands in-process) gets the root's help and name, as when typed.
        var result = command is RootCommand
            ? command.Parse(args)
            : new RootCommand { HelpName = DevHostCommandLine.Name, Subcommands = { command } }.Parse([command.Name, .. args]);
        // Help clears parse errors (its action runs instead); every other error stops here, before any side effect.
        if (result.Action is ParseErrorAction)
        {
            var name = DisplayName(result.CommandResult.Command);
            foreach (var error in result.Errors) await stderr.WriteLineAsync($"{name}: {error.Message}").ConfigureAwait(false);
            await stderr.WriteLineAsync($"Run '{CommandPath(result.CommandResult)} --help' for the options.").ConfigureAwait(false);
            return ExitBadArguments;
        }

        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Each command keeps its own Ctrl+C/SIGTERM handling (the web host's console lifetime, the simulator's stop):
            // a second handler here would race them for the exit code.
            ProcessTerminationTimeout = null,
            // An unexpected exception keeps its stack trace and the runtime's non-zero exit, as before.
            EnableDefaultExceptionHandler = false,
        };
        return await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A parser for a whole-number option in <paramref name="min"/>..<paramref name="max"/>: one message for a
    /// non-number and an out-of-range number alike (a validator would meet the conversion failure as an exception).
    /// </summary>
    public static Func<ArgumentResult, int> WholeNumber(string option, int min, int max, int fallback = 0) => r =>
    {
        if (r.Tokens.Count == 0) return fallback;
        var text = r.Tokens[0].Value;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        r.AddError(string.Create(CultureInfo.InvariantCulture, $"{option} '{text}' is not a whole number in {min}..{max}."));
        return fallback;
    };

    /// <summary>"Ayalon.DevHost replay": the command as typed, so the pointer to --help can be pasted.</summary>
    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? r = command; r is CommandResult c; r = c.Parent) names.Insert(0, DisplayName(c.Command));
        return string.Join(' ', names);
    }

    // The root's name is the running executable's unless it says otherwise ("testhost" under dotnet test).
    private static string DisplayName(Command command) => command is RootCommand { HelpName: { } name } ? name : command.Name;
}
