using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ayalon.Core.Configuration;

/// <summary>The one way a settings section is registered: bound, checked by its attributes, checked again at host start.</summary>
public static class SettingsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="section"/>, validates its data annotations naming each failing
    /// setting by its configuration key (<c>Here:TimeoutSeconds</c>), and makes host start run the check, so a bad value
    /// stops the host instead of surfacing at the first cycle. Cross-field rules add an <see cref="IValidateOptions{T}"/>.
    /// </summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section)
        where T : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>>(new AnnotatedSettingsValidator<T>(section)));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>
    /// The same check for settings a host binds itself before its container exists (the DevHost binds and starts its
    /// simulator before the app is built): throws what host start throws, an <see cref="OptionsValidationException"/>
    /// naming each failing setting by its configuration key.
    /// </summary>
    public static void ThrowIfInvalid<T>(T options, string section)
        where T : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        var result = new AnnotatedSettingsValidator<T>(section).Validate(Options.DefaultName, options);
        if (result.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures);
    }
}

/// <summary>
/// Data-annotation checks whose messages carry the configuration key: the stock ValidateDataAnnotations names only the
/// member ("'TimeoutSeconds' with the error …"), which an operator cannot map to <c>Here__TimeoutSeconds</c> at a glance.
/// </summary>
public sealed class AnnotatedSettingsValidator<T>(string section) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return ValidateOptionsResult.Success;
        }
        return ValidateOptionsResult.Fail(results.Select(r =>
        {
            var member = r.MemberNames.FirstOrDefault();
            var key = member is null ? section : section + ":" + member;
            return string.Create(CultureInfo.InvariantCulture, $"{key}: {r.ErrorMessage}");
        }));
    }
}
