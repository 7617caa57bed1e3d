// Flex Consumption (FC1) Linux Function App, .NET 10 isolated worker, running as the user-assigned identity.
// Every setting the app reads is declared here; none holds a storage key or a plaintext secret.

param name string
param planName string
param location string
param tags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of the same identity (DefaultAzureCredential and the Functions host select it by this).')
param identityClientId string

param storageAccountName string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string

@description('Blob container (in the storage account) holding the deployment package.')
param deploymentContainerName string

param applicationInsightsConnectionString string

@description('Version-less URI of the TomTom key secret.')
param tomTomSecretUri string

@description('Version-less URIs of the HERE secrets; empty when the secret does not exist.')
param hereApiKeySecretUri string
param hereAccessKeyIdSecretUri string
param hereAccessKeySecretSecretUri string

param keyVaultUri string

@description('Browser origins allowed to call the API from another site. The dashboard is served by this app and needs none.')
param corsAllowedOrigins array

@description('Flex Consumption scale-out ceiling.')
param maximumInstanceCount int

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@export()
@description('The app\'s own options, as app-setting strings (Section__Key). Empty string = not configured.')
type appOptionsType = {
  Traffic__Providers: string
  Quota__Providers__here__Limit: string
  Quota__Providers__here__Period: ('Day' | 'Month')
  TomTom__BaseUrl: string
  TomTom__Zoom: string
  TomTom__TimeoutSeconds: string
  Quota__Limit: string
  Quota__Period: ('Day' | 'Month')
  Quota__AlertThresholdPercent: string
  Collector__Schedule: string
  Collector__MinIntervalSeconds: string
  Storage__TablePrefix: string
  Impact__VolumeProfileFile: string
  Impact__FuelPriceIlsPerLitre: string
  Impact__FuelPriceSource: string
  Impact__FuelPriceMonth: string
}

param appOptions appOptionsType

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
      // Flex Consumption sets FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION itself (functionAppConfig);
      // declaring them here is rejected.
      appSettings: [
        // Functions host + app tables, identity-based (the account has shared keys disabled).
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
        { name: 'AzureWebJobsStorage__queueServiceUri', value: queueEndpoint }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
        // Telemetry with Entra ingestion (the component refuses instrumentation-key-only senders).
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD;ClientId=${identityClientId}' }
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        // Secrets: resolved by the platform with keyVaultReferenceIdentity; KeyVault__Uri lets the app re-read
        // the secret itself after an auth_error (rotation without restart).
        { name: 'TomTom__ApiKey', value: '@Microsoft.KeyVault(SecretUri=${tomTomSecretUri})' }
        // HERE: a reference only where the secret exists; empty (= not configured, never sent) otherwise.
        { name: 'Here__ApiKey', value: empty(hereApiKeySecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${hereApiKeySecretUri})' }
        { name: 'Here__AccessKeyId', value: empty(hereAccessKeyIdSecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${hereAccessKeyIdSecretUri})' }
        { name: 'Here__AccessKeySecret', value: empty(hereAccessKeySecretSecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${hereAccessKeySecretSecretUri})' }
        { name: 'KeyVault__Uri', value: keyVaultUri }
        // App options.
        { name: 'Traffic__Providers', value: appOptions.Traffic__Providers }
        { name: 'Quota__Providers__here__Limit', value: appOptions.Quota__Providers__here__Limit }
        { name: 'Quota__Providers__here__Period', value: appOptions.Quota__Providers__here__Period }
        { name: 'TomTom__BaseUrl', value: appOptions.TomTom__BaseUrl }
        { name: 'TomTom__Zoom', value: appOptions.TomTom__Zoom }
        { name: 'TomTom__TimeoutSeconds', value: appOptions.TomTom__TimeoutSeconds }
        { name: 'Quota__Limit', value: appOptions.Quota__Limit }
        { name: 'Quota__Period', value: appOptions.Quota__Period }
        { name: 'Quota__AlertThresholdPercent', value: appOptions.Quota__AlertThresholdPercent }
        { name: 'Collector__Schedule', value: appOptions.Collector__Schedule }
        { name: 'Collector__MinIntervalSeconds', value: appOptions.Collector__MinIntervalSeconds }
        { name: 'Storage__TablePrefix', value: appOptions.Storage__TablePrefix }
        { name: 'Impact__VolumeProfileFile', value: appOptions.Impact__VolumeProfileFile }
        { name: 'Impact__FuelPriceIlsPerLitre', value: appOptions.Impact__FuelPriceIlsPerLitre }
        { name: 'Impact__FuelPriceSource', value: appOptions.Impact__FuelPriceSource }
        { name: 'Impact__FuelPriceMonth', value: appOptions.Impact__FuelPriceMonth }
        { name: 'Cors__AllowedOrigins', value: join(corsAllowedOrigins, ',') }
      ]
    }
  }
}

output id string = functionApp.id
output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output uri string = 'https://${functionApp.properties.defaultHostName}'
