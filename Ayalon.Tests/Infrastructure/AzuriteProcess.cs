using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ayalon.Tests.Infrastructure;

/// <summary>
/// A real Azurite table service on a loopback port, started from the repository's pinned npm package
/// (node_modules/.bin/azurite-table). In-memory by default: every start is empty. With a <see cref="Location"/>
/// folder it persists there instead (stopped with SIGINT so it saves what it holds), so a restart on the same port
/// sees the same data — like a storage account that was unreachable for a while. Stop/Start on the same port lets
/// tests take storage away in the middle of a cycle.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's published development-storage account (documented by Microsoft; not a secret).
    public const string AccountName = "devstoreaccount1";
    internal const string DevStoreAccountSecret =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private Process? _process;

    private AzuriteProcess(int port, string? location)
    {
        Port = port;
        Location = location;
    }

    public int Port { get; }

    /// <summary>The folder Azurite persists its data in; null = in memory (lost when stopped).</summary>
    public string? Location { get; }

    public string ConnectionString => ConnectionStringFor(Port);

    public static string ConnectionStringFor(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey=" + DevStoreAccountSecret +
        $";TableEndpoint=http://127.0.0.1:{port}/{AccountName};";

    /// <param name="location">A folder to persist data in across stop/start; null keeps everything in memory.</param>
    public static async Task<AzuriteProcess> StartAsync(int? port = null, string? location = null)
    {
        var azurite = new AzuriteProcess(port ?? FreePort(), location);
        await azurite.StartAsync().ConfigureAwait(false);
        return azurite;
    }

    public bool IsRunning => _process is { HasExited: false };

    public async Task StartAsync()
    {
        TestLane.ThrowIfUnit("Azurite");
        if (IsRunning) return;
        var bin = Path.Combine(RepoPaths.Root, "node_modules", ".bin", "azurite-table");
        if (!File.Exists(bin))
        {
            throw new InvalidOperationException("Azurite is not installed: run 'npm ci' in the repository root (test.sh does).");
        }
        var psi = new ProcessStartInfo(bin)
        {
            ArgumentList =
            {
                "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--disableTelemetry", "--skipApiVersionCheck", "--silent",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Location is null)
        {
            psi.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(Location);
            psi.ArgumentList.Add("--location");
            psi.ArgumentList.Add(Location);
        }
        _process = Process.Start(psi) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60); // generous: a loaded 2-core machine starts node slowly
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} on port {Port}.");
            if (await IsListeningAsync(Port).ConfigureAwait(false)) return;
            await Task.Delay(50).ConfigureAwait(false);
        }
        throw new TimeoutException($"Azurite did not listen on port {Port} within 60 s.");
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited && Location is not null)
        {
            // Persisted: let Azurite close its database (it saves on SIGINT) so a restart finds everything written.
            await InterruptAsync(_process.Id).ConfigureAwait(false);
            using var graceful = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(graceful.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Did not close in time: killed below.
            }
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
        _process = null;
        // The port must be free again before a restart binds it.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && await IsListeningAsync(Port).ConfigureAwait(false))
        {
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static async Task InterruptAsync(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill")
        {
            ArgumentList = { "-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("'kill' did not start.");
        await kill.WaitForExitAsync().ConfigureAwait(false);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
