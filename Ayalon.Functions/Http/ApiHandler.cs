using Ayalon.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Ayalon.Functions.Http;

/// <summary>
/// Runs an endpoint body and maps every failure onto the one error shape: bad input → 400 naming the parameter,
/// storage unreachable → 503 <c>source_unavailable</c> with a retry hint, anything else → 500 <c>internal_error</c>
/// (logged with its type and trace id). Exception text never reaches a response.
/// </summary>
public sealed class ApiHandler(ILogger<ApiHandler> logger)
{
    public const int StorageRetryAfterSeconds = 30;

    public async Task<IActionResult> RunAsync(HttpRequest request, Func<Task<IActionResult>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (ApiInputException ex)
        {
            return ApiResults.Error(request.HttpContext, StatusCodes.Status400BadRequest, ApiError.InvalidInput, ex.Message);
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            throw; // the client went away: nobody to answer
        }
        catch (Exception ex) when (StorageFailure.Is(ex))
        {
            logger.LogWarning("{Path}: Table Storage unavailable ({ExceptionType})", request.Path.Value, ex.GetType().Name);
            return ApiResults.Error(request.HttpContext, StatusCodes.Status503ServiceUnavailable, ApiError.SourceUnavailable,
                "storage is unavailable; try again shortly.", StorageRetryAfterSeconds);
        }
#pragma warning disable CA1031 // the last line of defence: every other failure is a 500 in the error shape
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogError(ex, "{Path}: unexpected failure", request.Path.Value);
            return ApiResults.Error(request.HttpContext, StatusCodes.Status500InternalServerError, ApiError.InternalError,
                "an unexpected error occurred; it has been logged with this trace id.");
        }
    }
}
