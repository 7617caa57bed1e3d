using Ayalon.Core.Corridor;

namespace Ayalon.Core.ReadModels;

/// <summary>GET /api/corridor: the corridor file as the page draws it. Static for the life of the process.</summary>
public sealed class CorridorService(CorridorDefinition corridor)
{
    /// <summary>The corridor changes only with a deployment; the API's one cap on max-age applies all the same.</summary>
    public const int MaxAgeSeconds = ApiBody.DocumentMaxAgeSeconds;

    private readonly Lazy<ApiBody> _body = new(() => ApiBody.Json(Build(corridor)));

    public ApiBody Body => _body.Value;

    public static CorridorResponse Build(CorridorDefinition corridor) => new(
        corridor.Name,
        corridor.License,
        corridor.Attribution,
        corridor.Sections.Select(s => new CorridorSectionInfo(s.Id, s.Direction, s.From, s.To, s.LengthMeters, s.MeanBearingDeg,
            s.Geometry.Select(p => new[] { p.LatitudeDeg, p.LongitudeDeg }).ToList())).ToList());
}
