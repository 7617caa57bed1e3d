namespace Ayalon.Tests.Infrastructure;

/// <summary>
/// The lanes a test class belongs to, as its <c>[Trait("Category", …)]</c>. <c>./test.sh --fast</c> runs only
/// <see cref="Unit"/> (no Azurite, no Kestrel, no processes, no files beyond reading shipped resources) and sets
/// <see cref="Variable"/>, so a class marked Unit that starts a real dependency fails at once instead of quietly
/// slowing the fast lane down.
/// </summary>
public static class TestLane
{
    public const string Unit = "Unit";
    public const string Integration = "Integration";
    public const string Browser = "Browser";
    public const string Infra = "Infra";

    public static readonly IReadOnlyList<string> All = [Unit, Integration, Browser, Infra];

    public const string Variable = "AYALON_TEST_LANE";

    public static void ThrowIfUnit(string dependency)
    {
        if (string.Equals(Environment.GetEnvironmentVariable(Variable), Unit, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"{dependency} was started in the unit lane ({Variable}=Unit): a test class that needs it is not Category=Unit; mark it Integration or Browser.");
        }
    }
}
