using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ayalon.Tests.Infra;

/// <summary>
/// Compiles infra/main.bicep with the Bicep CLI and checks the ARM JSON for what "Run it on Azure" promises:
/// identity everywhere, no storage keys, the TomTom key only in Key Vault, least-privilege roles, and alerts
/// routed to people.
/// </summary>
[Trait("Category", "Infra")]
public sealed partial class InfraTemplateTests(CompiledInfra infra) : IClassFixture<CompiledInfra>
{
    private const string FunctionAppType = "Microsoft.Web/sites";

    // ---------- The Bicep CLI ----------

    [Fact]
    public void Bicep_build_compiles_main_template_without_errors_or_warnings()
    {
        Assert.True(infra.Build.ExitCode == 0, infra.Build.StandardError);
        Assert.DoesNotMatch(DiagnosticLine(), infra.Build.StandardError);
        Assert.NotEmpty(infra.Resources);
    }

    [Fact]
    public void Bicep_lint_reports_no_warnings_or_errors()
    {
        Assert.True(infra.Lint.ExitCode == 0, infra.Lint.AllOutput);
        Assert.DoesNotMatch(DiagnosticLine(), infra.Lint.AllOutput);
    }

    [Fact]
    public void Templates_use_only_local_modules_so_they_build_offline()
    {
        var bicepFiles = Directory.GetFiles(Path.Combine(infra.RepoRoot, "infra"), "*.bicep", SearchOption.AllDirectories);
        Assert.NotEmpty(bicepFiles);
        foreach (var file in bicepFiles)
        {
            Assert.DoesNotMatch(RegistryModule(), File.ReadAllText(file));
        }
    }

    // ---------- Scope and naming ----------

    [Fact]
    public void Deployment_targets_the_subscription_and_creates_a_tagged_resource_group()
    {
        Assert.Contains("subscriptionDeploymentTemplate", (string)infra.Template["$schema"]!);
        var group = infra.Single("Microsoft.Resources/resourceGroups");
        Assert.Same(infra.Template, group.Scope.Template);
        var tags = group.Resolve(group.Json["tags"])!.AsObject();
        Assert.True(tags.ContainsKey("azd-env-name"));
    }

    // ---------- Storage ----------

    [Fact]
    public void Storage_account_refuses_shared_keys_and_tls_below_1_2()
    {
        var storage = infra.Single("Microsoft.Storage/storageAccounts").Properties!;
        Assert.False((bool)storage["allowSharedKeyAccess"]!);
        Assert.Equal("TLS1_2", (string)storage["minimumTlsVersion"]!);
        Assert.False((bool)storage["allowBlobPublicAccess"]!);
        Assert.True((bool)storage["supportsHttpsTrafficOnly"]!);
    }

    [Fact]
    public void Storage_account_has_the_app_tables_and_a_deployment_container()
    {
        // One declaration looping over the table-name list (main.bicep mirrors Ayalon.Core AyalonTables).
        var tables = Assert.Single(infra.OfType("Microsoft.Storage/storageAccounts/tableServices/tables"));
        Assert.Contains("tableNames", (string)tables.Json["name"]!);
        var names = tables.Resolve(JsonValue.Create("[parameters('tableNames')]"))!.AsArray();
        Assert.Equal(7, names.Count);
        Assert.Single(infra.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"));
        Assert.Single(infra.OfType("Microsoft.Storage/storageAccounts/queueServices"));
    }

    // ---------- Function App ----------

    [Fact]
    public void Function_app_runs_dotnet_isolated_10_on_linux_flex_consumption()
    {
        var plan = infra.Single("Microsoft.Web/serverfarms").Json;
        Assert.Equal("FC1", (string)plan["sku"]!["name"]!);
        Assert.Equal("FlexConsumption", (string)plan["sku"]!["tier"]!);
        Assert.True((bool)plan["properties"]!["reserved"]!);

        var site = infra.Single(FunctionAppType).Json;
        Assert.Contains("functionapp", (string)site["kind"]!);
        Assert.Contains("linux", (string)site["kind"]!);
        var runtime = site["properties"]!["functionAppConfig"]!["runtime"]!;
        Assert.Equal("dotnet-isolated", (string)runtime["name"]!);
        Assert.Equal("10.0", (string)runtime["version"]!);
        Assert.True((bool)site["properties"]!["httpsOnly"]!);
        Assert.Contains("'azd-service-name', 'api'", (string)site["tags"]!);
    }

    [Fact]
    public void Function_app_runs_as_the_user_assigned_identity_everywhere()
    {
        var site = infra.Single(FunctionAppType);
        var identity = site.Json["identity"]!;
        Assert.Equal("UserAssigned", (string)identity["type"]!);
        var identityKey = Assert.Single(identity["userAssignedIdentities"]!.AsObject()).Key;
        Assert.Contains("identityId", identityKey);

        var properties = site.Properties!;
        Assert.Equal("[parameters('identityId')]", (string)properties["keyVaultReferenceIdentity"]!);
        var deploymentAuth = properties["functionAppConfig"]!["deployment"]!["storage"]!["authentication"]!;
        Assert.Equal("UserAssignedIdentity", (string)deploymentAuth["type"]!);

        var identityIdPassed = (string)site.Resolve(JsonValue.Create("[parameters('identityId')]"))!;
        Assert.Contains("outputs.id", identityIdPassed);
        Assert.Contains("identity", identityIdPassed);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage__accountName")]
    [InlineData("AzureWebJobsStorage__credential")]
    [InlineData("AzureWebJobsStorage__clientId")]
    [InlineData("AzureWebJobsStorage__tableServiceUri")]
    [InlineData("AzureWebJobsStorage__blobServiceUri")]
    [InlineData("AzureWebJobsStorage__queueServiceUri")]
    [InlineData("APPLICATIONINSIGHTS_CONNECTION_STRING")]
    [InlineData("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")]
    [InlineData("AZURE_CLIENT_ID")]
    [InlineData("TomTom__BaseUrl")]
    [InlineData("TomTom__ApiKey")]
    [InlineData("TomTom__Zoom")]
    [InlineData("TomTom__TimeoutSeconds")]
    [InlineData("Quota__Limit")]
    [InlineData("Quota__Period")]
    [InlineData("Quota__AlertThresholdPercent")]
    [InlineData("Collector__Schedule")]
    [InlineData("Collector__MinIntervalSeconds")]
    [InlineData("Storage__TablePrefix")]
    [InlineData("Impact__VolumeProfileFile")]
    [InlineData("Impact__FuelPriceIlsPerLitre")]
    [InlineData("Impact__FuelPriceSource")]
    [InlineData("Impact__FuelPriceMonth")]
    [InlineData("Cors__AllowedOrigins")]
    [InlineData("KeyVault__Uri")]
    [InlineData("Here__ApiKey")]
    [InlineData("Here__AccessKeyId")]
    [InlineData("Here__AccessKeySecret")]
    [InlineData("Traffic__Providers")]
    [InlineData("Quota__Providers__here__Limit")]
    [InlineData("Quota__Providers__here__Period")]
    public void Function_app_declares_every_setting_the_app_reads(string name)
    {
        Assert.Contains(name, AppSettings().Keys);
    }

    [Theory]
    [InlineData("quotaLimit", "2500")]
    [InlineData("quotaPeriod", "Day")]
    [InlineData("quotaAlertThresholdPercent", "90")]
    [InlineData("collectorSchedule", "0 */5 * * * *")]
    [InlineData("collectorMinIntervalSeconds", "60")]
    [InlineData("tablePrefix", "ayalon")]
    [InlineData("tomTomBaseUrl", "https://api.tomtom.com")]
    [InlineData("tomTomZoom", "10")]
    [InlineData("tomTomTimeoutSeconds", "10")]
    [InlineData("volumeProfileFile", "")]
    [InlineData("trafficProviders", "here,tomtom")]
    [InlineData("hereMonthlyQuota", "10000")]
    [InlineData("hereApiKey", "")]
    [InlineData("hereAccessKeyId", "")]
    [InlineData("hereAccessKeySecret", "")]
    public void Setting_defaults_match_the_design(string parameter, string expected)
    {
        var defaultValue = infra.Template["parameters"]![parameter]!["defaultValue"]!;
        Assert.Equal(expected, defaultValue.ToString());
    }

    [Fact]
    public void Storage_and_telemetry_settings_are_identity_based()
    {
        var settings = AppSettings();
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("[parameters('identityClientId')]", settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal("[parameters('identityClientId')]", settings["AZURE_CLIENT_ID"]);
        Assert.Contains("Authorization=AAD;ClientId=", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys); // a connection string would live here
    }

    [Fact]
    public void TomTom_key_setting_is_a_key_vault_reference_to_the_secret()
    {
        var site = infra.Single(FunctionAppType);
        var value = AppSettings()["TomTom__ApiKey"];
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})', parameters('tomTomSecretUri'))]", value);

        var secretUriPassed = (string)site.Resolve(JsonValue.Create("[parameters('tomTomSecretUri')]"))!;
        Assert.Contains("outputs.tomTomSecretUri", secretUriPassed);
        var vaultTemplate = infra.Single("Microsoft.KeyVault/vaults").Scope.Template;
        Assert.Contains("secretUri", (string)vaultTemplate["outputs"]!["tomTomSecretUri"]!["value"]!);
    }

    [Fact]
    public void No_setting_or_template_expression_carries_a_storage_key()
    {
        foreach (var (name, value) in AppSettings())
        {
            Assert.DoesNotContain("AccountKey", value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listKeys", value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessSignature", value, StringComparison.OrdinalIgnoreCase);
            Assert.False(name.Equals("AzureWebJobsStorage", StringComparison.OrdinalIgnoreCase), name);
        }
        Assert.DoesNotContain("listKeys", infra.Build.StandardOutput, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey", infra.Build.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Cors_origins_come_from_one_parameter()
    {
        var site = infra.Single(FunctionAppType);
        var cors = site.Properties!["siteConfig"]!["cors"]!["allowedOrigins"]!;
        Assert.Equal("[parameters('corsAllowedOrigins')]", (string)cors!);
        Assert.Contains("corsAllowedOrigins", AppSettings()["Cors__AllowedOrigins"]);
        Assert.Equal("array", (string)infra.Template["parameters"]!["corsAllowedOrigins"]!["type"]!);
    }

    // ---------- Secrets ----------

    [Fact]
    public void TomTom_key_parameter_is_secure_and_has_no_default()
    {
        var parameter = infra.Template["parameters"]!["tomTomApiKey"]!.AsObject();
        Assert.Equal("securestring", (string)parameter["type"]!);
        Assert.False(parameter.ContainsKey("defaultValue"));
        var parametersFile = File.ReadAllText(Path.Combine(infra.RepoRoot, "infra", "main.parameters.json"));
        Assert.Contains("\"${TOMTOM_API_KEY}\"", parametersFile);
    }

    [Fact]
    public void Key_vault_uses_rbac_and_purge_protection_and_holds_the_tomtom_secret()
    {
        var vault = infra.Single("Microsoft.KeyVault/vaults").Properties!;
        Assert.True((bool)vault["enableRbacAuthorization"]!);
        Assert.True((bool)vault["enablePurgeProtection"]!);

        var secret = Assert.Single(infra.OfType("Microsoft.KeyVault/vaults/secrets"), s => s.Json["condition"] is null);
        Assert.Equal("[parameters('tomTomApiKey')]", (string)secret.Properties!["value"]!);
        Assert.Equal("securestring", (string)secret.Scope.Template["parameters"]!["tomTomApiKey"]!["type"]!);
    }

    [Theory]
    [InlineData("hereApiKey", "apiKey", "here-api-key", "createHereApiKey")]
    [InlineData("hereAccessKeyId", "accessKeyId", "here-access-key-id", "createHereOAuth")]
    [InlineData("hereAccessKeySecret", "accessKeySecret", "here-access-key-secret", "createHereOAuth")]
    public void HERE_secrets_exist_only_when_their_secure_parameter_is_given(string parameter, string nameKey, string secretName, string condition)
    {
        var secret = Assert.Single(infra.OfType("Microsoft.KeyVault/vaults/secrets"),
            s => (string?)s.Properties!["value"] == $"[parameters('{parameter}')]");
        Assert.Equal($"[variables('{condition}')]", (string)secret.Json["condition"]!);
        Assert.Contains($"parameters('hereSecretNames').{nameKey}", (string)secret.Json["name"]!);
        Assert.Equal(secretName, (string)secret.Resolve(JsonValue.Create("[parameters('hereSecretNames')]"))![nameKey]!);
        var variables = secret.Scope.Template["variables"]!;
        Assert.Contains($"empty(parameters('{parameter}'))", (string)variables[condition]!);
        if (condition == "createHereOAuth")
        {
            // Half a pair is unusable: both halves are required for either secret.
            Assert.Contains("empty(parameters('hereAccessKeyId'))", (string)variables[condition]!);
            Assert.Contains("empty(parameters('hereAccessKeySecret'))", (string)variables[condition]!);
        }
        Assert.Equal("securestring", (string)secret.Scope.Template["parameters"]![parameter]!["type"]!);
        Assert.Equal("securestring", (string)infra.Template["parameters"]![parameter]!["type"]!);
        // The names the app reads when KeyVault__Uri is set (Ayalon.Core KeyVaultOptions defaults).
        Assert.Contains(secretName, new[]
        {
            Ayalon.Core.Secrets.KeyVaultOptions.DefaultHereApiKeySecretName,
            Ayalon.Core.Secrets.KeyVaultOptions.DefaultHereAccessKeyIdSecretName,
            Ayalon.Core.Secrets.KeyVaultOptions.DefaultHereAccessKeySecretSecretName,
        });
    }

    [Theory]
    [InlineData("Here__ApiKey", "hereApiKeySecretUri")]
    [InlineData("Here__AccessKeyId", "hereAccessKeyIdSecretUri")]
    [InlineData("Here__AccessKeySecret", "hereAccessKeySecretSecretUri")]
    public void HERE_settings_are_key_vault_references_only_where_the_secret_exists(string setting, string uriParameter)
    {
        var site = infra.Single(FunctionAppType);
        Assert.Equal(
            $"[if(empty(parameters('{uriParameter}')), '', format('@Microsoft.KeyVault(SecretUri={{0}})', parameters('{uriParameter}')))]",
            AppSettings()[setting]);
        var passed = (string)site.Resolve(JsonValue.Create($"[parameters('{uriParameter}')]"))!;
        Assert.Contains($"outputs.{uriParameter}", passed);
        // The vault's output is empty unless the secret was created, and then its version-less URI.
        var output = (string)infra.Single("Microsoft.KeyVault/vaults").Scope.Template["outputs"]![uriParameter]!["value"]!;
        Assert.StartsWith("[if(variables('createHere", output);
        Assert.Contains("secretUri", output);
    }

    [Fact]
    public void HERE_quota_is_monthly_with_its_own_limit_parameter()
    {
        var appOptions = infra.Template["variables"]!["appOptions"]!;
        Assert.Equal("Month", (string)appOptions["Quota__Providers__here__Period"]!);
        Assert.Equal("[string(parameters('hereMonthlyQuota'))]", (string)appOptions["Quota__Providers__here__Limit"]!);
        Assert.Equal("[parameters('trafficProviders')]", (string)appOptions["Traffic__Providers"]!);
        Assert.Equal("[parameters('appOptions').Quota__Providers__here__Period]", AppSettings()["Quota__Providers__here__Period"]);
        var parametersFile = File.ReadAllText(Path.Combine(infra.RepoRoot, "infra", "main.parameters.json"));
        Assert.Contains("\"${HERE_API_KEY=}\"", parametersFile);
        Assert.Contains("\"${HERE_ACCESS_KEY_ID=}\"", parametersFile);
        Assert.Contains("\"${HERE_ACCESS_KEY_SECRET=}\"", parametersFile);
    }

    [Fact]
    public void No_template_outputs_a_provider_credential()
    {
        var templates = infra.Resources.Select(r => r.Scope.Template).Distinct();
        foreach (var template in templates)
        {
            var outputs = template["outputs"]?.ToJsonString() ?? "";
            Assert.DoesNotContain("tomTomApiKey", outputs);
            Assert.DoesNotContain("parameters('hereApiKey')", outputs);
            Assert.DoesNotContain("parameters('hereAccessKeyId')", outputs);
            Assert.DoesNotContain("parameters('hereAccessKeySecret')", outputs);
        }
    }

    // ---------- Telemetry ----------

    [Fact]
    public void Application_insights_accepts_only_entra_authenticated_telemetry()
    {
        var component = infra.Single("Microsoft.Insights/components").Properties!;
        Assert.True((bool)component["DisableLocalAuth"]!);
        Assert.NotNull(component["WorkspaceResourceId"]);
        Assert.Single(infra.OfType("Microsoft.OperationalInsights/workspaces"));
    }

    // ---------- Roles ----------

    [Theory]
    [InlineData("Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Microsoft.Storage/storageAccounts")]
    [InlineData("Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts")]
    [InlineData("Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Microsoft.Storage/storageAccounts")]
    [InlineData("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults")]
    [InlineData("Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components")]
    public void App_identity_holds_the_data_role_on_the_resource_that_needs_it(string role, string roleId, string scopeType)
    {
        var assignments = infra.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => RoleDefinitionGuid(a) == roleId)
            .Where(a => ((string)a.Properties!["principalId"]!).Contains("appPrincipalId"))
            .ToList();
        var assignment = Assert.Single(assignments);

        Assert.Contains(scopeType, (string)assignment.Json["scope"]!);
        Assert.Equal("ServicePrincipal", (string)assignment.Properties!["principalType"]!);
        var principal = (string)assignment.Resolve(assignment.Properties!["principalId"])!;
        Assert.Contains("identity", principal);
        Assert.Contains("principalId", principal);
        Assert.False(string.IsNullOrEmpty(role));
    }

    [Fact]
    public void Role_ids_are_named_variables_not_inline_guids()
    {
        foreach (var assignment in infra.OfType("Microsoft.Authorization/roleAssignments"))
        {
            var roleDefinitionId = (string)assignment.Properties!["roleDefinitionId"]!;
            Assert.Matches(@"variables\('\w+RoleId'\)", roleDefinitionId);
        }
    }

    // ---------- Alerts ----------

    [Fact]
    public void At_least_five_alert_rules_each_with_severity_description_and_action_group()
    {
        var rules = AlertRules();
        Assert.True(rules.Count >= 5, $"expected at least 5 alert rules, found {rules.Count}");
        foreach (var rule in rules)
        {
            var properties = rule.Properties!;
            var severity = (int)properties["severity"]!;
            Assert.InRange(severity, 0, 4);
            Assert.False(string.IsNullOrWhiteSpace((string?)properties["description"]));
            var actionGroups = ActionGroupIds(rule);
            Assert.NotEmpty(actionGroups);
            Assert.All(actionGroups, id => Assert.Contains("Microsoft.Insights/actionGroups", id));
            Assert.True((bool)properties["enabled"]!);
        }
    }

    [Fact]
    public void Action_group_emails_the_operator_address_parameter()
    {
        var group = infra.Single("Microsoft.Insights/actionGroups");
        var email = Assert.Single(group.Properties!["emailReceivers"]!.AsArray())!;
        Assert.Equal("[parameters('alertEmail')]", (string)email["emailAddress"]!);
        var parameter = infra.Template["parameters"]!["alertEmail"]!.AsObject();
        Assert.Equal("string", (string)parameter["type"]!);
        Assert.False(parameter.ContainsKey("defaultValue"));
    }

    [Fact]
    public void No_successful_cycle_alert_fires_when_no_ok_or_partial_cycle_in_20_minutes()
    {
        var rule = LogAlertQuerying("Ayalon.CyclesCompleted");
        var properties = rule.Properties!;
        Assert.Equal("PT20M", (string)properties["windowSize"]!);
        Assert.Equal("PT5M", (string)properties["evaluationFrequency"]!);
        var criterion = properties["criteria"]!["allOf"]![0]!;
        var query = (string)criterion["query"]!;
        Assert.Contains("\"ok\"", query);
        Assert.Contains("\"partial\"", query);
        Assert.Equal("LessThan", (string)criterion["operator"]!);
        Assert.Equal(1, (int)criterion["threshold"]!);
    }

    [Fact]
    public void Quota_alert_fires_when_the_ledger_flags_a_provider_above_90_percent_and_ahead_of_its_pace()
    {
        // The rule (threshold, and for a paced provider "ahead of pace") is the ledger's; the alert reads its verdict.
        var rule = LogAlertQuerying("Ayalon.QuotaAlert");
        var criterion = rule.Properties!["criteria"]!["allOf"]![0]!;
        Assert.Equal("GreaterThan", (string)criterion["operator"]!);
        Assert.Contains("by Provider", (string)criterion["query"]!); // each provider's ledger row has its own limit
        Assert.Equal("Provider", (string)Assert.Single(criterion["dimensions"]!.AsArray())!["name"]!);
        Assert.Equal(0, (int)rule.Resolve(criterion["threshold"])!);
        Assert.Contains("ahead of pace", (string)rule.Properties!["displayName"]!);
    }

    [Fact]
    public void Provider_alert_fires_on_auth_error_or_no_coverage_within_15_minutes_split_by_provider()
    {
        var rule = LogAlertQuerying("Ayalon.ProviderCalls");
        var criterion = rule.Properties!["criteria"]!["allOf"]![0]!;
        var query = (string)criterion["query"]!;
        Assert.Contains("auth_error", query);
        Assert.Contains("no_coverage", query);
        Assert.Contains("by Provider, ProviderStatus", query);
        Assert.Equal(["Provider", "ProviderStatus"], criterion["dimensions"]!.AsArray().Select(d => (string)d!["name"]!));
        Assert.Equal("PT15M", (string)rule.Properties!["windowSize"]!);
        Assert.Equal("GreaterThan", (string)criterion["operator"]!);
        Assert.Equal(0, (int)criterion["threshold"]!);
    }

    [Fact]
    public void Exception_spike_alert_counts_exceptions_over_a_threshold_in_15_minutes()
    {
        var rule = LogAlertQuerying("exceptions");
        Assert.Equal("PT15M", (string)rule.Properties!["windowSize"]!);
        var criterion = rule.Properties!["criteria"]!["allOf"]![0]!;
        Assert.Equal("GreaterThan", (string)criterion["operator"]!);
        Assert.True((int)rule.Resolve(criterion["threshold"])! > 0);
    }

    [Fact]
    public void Log_alerts_query_the_application_insights_component()
    {
        foreach (var rule in infra.OfType("Microsoft.Insights/scheduledQueryRules"))
        {
            var scope = Assert.Single(rule.Properties!["scopes"]!.AsArray());
            Assert.Contains("outputs.applicationInsightsId", (string)rule.Resolve(scope)!);
        }
    }

    [Fact]
    public void Health_availability_test_expects_200_from_several_locations()
    {
        var test = infra.Single("Microsoft.Insights/webtests");
        Assert.Equal("standard", (string)test.Json["kind"]!);
        var properties = test.Properties!;
        Assert.Equal("standard", (string)properties["Kind"]!);
        Assert.True((bool)properties["Enabled"]!);
        Assert.EndsWith("/api/health', parameters('healthHostName'))]", (string)properties["Request"]!["RequestUrl"]!);
        Assert.Equal(200, (int)properties["ValidationRules"]!["ExpectedHttpStatusCode"]!);
        Assert.Contains("hidden-link:", (string)test.Json["tags"]!);
        Assert.True(WebTestLocationCount(test) >= 3, "need at least 3 locations for a 2-location failure rule");
    }

    [Fact]
    public void Availability_alert_fires_when_two_or_more_locations_fail()
    {
        var alert = infra.OfType("Microsoft.Insights/metricAlerts")
            .Single(a => (string?)a.Properties!["criteria"]!["odata.type"] == "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria");
        var criteria = alert.Properties!["criteria"]!;
        Assert.Contains("Microsoft.Insights/webtests", (string)criteria["webTestId"]!);
        var failed = (int)alert.Resolve(criteria["failedLocationCount"])!;
        Assert.True(failed >= 2, $"failedLocationCount is {failed}");
        Assert.True(WebTestLocationCount(infra.Single("Microsoft.Insights/webtests")) > failed);
    }

    [Fact]
    public void Every_alert_names_a_runbook_section_that_exists_in_operations_doc()
    {
        var anchors = HeadingAnchors(File.ReadAllText(Path.Combine(infra.RepoRoot, "docs", "OPERATIONS.md")));
        foreach (var rule in AlertRules())
        {
            var description = (string)rule.Properties!["description"]!;
            var match = RunbookLink().Match(description);
            Assert.True(match.Success, $"no runbook link in: {description}");
            Assert.Contains(match.Groups[1].Value, anchors);
        }
    }

    // ---------- helpers ----------

    private Dictionary<string, string> AppSettings()
    {
        var site = infra.Single(FunctionAppType);
        return site.Properties!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => s!["value"]!.ToString(), StringComparer.Ordinal);
    }

    private List<TemplateResource> AlertRules() =>
        [.. infra.OfType("Microsoft.Insights/scheduledQueryRules"), .. infra.OfType("Microsoft.Insights/metricAlerts")];

    private TemplateResource LogAlertQuerying(string fragment) =>
        Assert.Single(infra.OfType("Microsoft.Insights/scheduledQueryRules"),
            r => r.Properties!["criteria"]!["allOf"]!.AsArray().Any(c => ((string)c!["query"]!).Contains(fragment, StringComparison.Ordinal)));

    private static List<string> ActionGroupIds(TemplateResource rule) => rule.Properties!["actions"] switch
    {
        JsonObject logAlertActions => logAlertActions["actionGroups"]?.AsArray().Select(n => (string)n!).ToList() ?? [],
        JsonArray metricAlertActions => metricAlertActions.Select(a => (string)a!["actionGroupId"]!).ToList(),
        _ => [],
    };

    private static string? RoleDefinitionGuid(TemplateResource assignment)
    {
        var roleDefinitionId = (string)assignment.Properties!["roleDefinitionId"]!;
        var literal = Guid().Match(roleDefinitionId);
        return literal.Success ? literal.Value : assignment.Scope.VariableInside(roleDefinitionId);
    }

    private static int WebTestLocationCount(TemplateResource test)
    {
        var properties = test.Properties!;
        if (properties["Locations"] is JsonArray literal) return literal.Count;
        var loop = properties["copy"]!.AsArray().Single(c => (string)c!["name"]! == "Locations")!;
        var parameter = ParameterName().Match((string)loop["count"]!).Groups[1].Value;
        return test.Resolve(JsonValue.Create($"[parameters('{parameter}')]"))!.AsArray().Count;
    }

    /// <summary>GitHub's heading anchors: lower case, punctuation other than '-' and '_' dropped, spaces to '-'.</summary>
    private static HashSet<string> HeadingAnchors(string markdown) =>
        markdown.Split('\n')
            .Where(line => line.StartsWith('#'))
            .Select(line => line.TrimStart('#').Trim().ToLowerInvariant())
            .Select(text => new string(text.Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray()).Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\b(Warning|Error) [A-Za-z0-9-]+:")]
    private static partial Regex DiagnosticLine();

    [GeneratedRegex(@"(?m)^\s*module\s+\w+\s+'(br|ts)[:/]")]
    private static partial Regex RegistryModule();

    [GeneratedRegex(@"OPERATIONS\.md#([A-Za-z0-9_-]+)")]
    private static partial Regex RunbookLink();

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Guid();

    [GeneratedRegex(@"parameters\('([^']+)'\)")]
    private static partial Regex ParameterName();
}
