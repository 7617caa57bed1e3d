// Ayalon Impact Monitor — everything it needs on Azure, in one resource group.
// Deploy with `azd up` (azure.yaml at the repo root) or `az deployment sub create` (docs/OPERATIONS.md).
targetScope = 'subscription'

import { appOptionsType } from 'modules/functionapp.bicep'

// ---------- Parameters ----------

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd env name); part of every resource name and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Azure region for all resources. Must offer Flex Consumption (e.g. israelcentral, westeurope, swedencentral).')
param location string

@secure()
@minLength(1)
@description('TomTom Traffic API key. Stored only in Key Vault; there is deliberately no default.')
param tomTomApiKey string

@secure()
@description('HERE API key (sent as the apiKey query parameter). Optional: with OAuth credentials below, or without HERE, leave empty. Stored only in Key Vault.')
param hereApiKey string = ''

@secure()
@description('HERE OAuth access key id (here.access.key.id in credentials.properties). Give it with hereAccessKeySecret; OAuth wins over hereApiKey. Stored only in Key Vault.')
param hereAccessKeyId string = ''

@secure()
@description('HERE OAuth access key secret (here.access.key.secret). Stored only in Key Vault.')
param hereAccessKeySecret string = ''

@description('Traffic providers in the order they are asked (comma list); only those with credentials take part.')
param trafficProviders string = 'here,tomtom'

@minValue(1)
@description('HERE requests allowed per UTC month: your HERE plan\'s allowance (plans count monthly; the ledger paces them over the month). 10000 covers one request per 5-minute cycle (8,640) plus retries.')
param hereMonthlyQuota int = 10000

@description('Email address that receives every alert.')
param alertEmail string

@description('Browser origins allowed to call the API cross-site (the bundled dashboard is same-origin and needs none).')
param corsAllowedOrigins array = []

@description('Optional object id of the person or group operating the app (key rotation, reading tables). azd fills AZURE_PRINCIPAL_ID.')
param operatorPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

@minValue(1)
@description('TomTom requests allowed per quota period (the ledger never exceeds it).')
param quotaLimit int = 2500

@allowed([
  'Day'
  'Month'
])
@description('Quota period (UTC day by default; TomTom\'s newer plans count per month).')
param quotaPeriod string = 'Day'

@minValue(1)
@maxValue(100)
@description('Quota alert threshold, in percent of the limit.')
param quotaAlertThresholdPercent int = 90

@description('NCRONTAB (with seconds, UTC) of the collection cycle.')
param collectorSchedule string = '0 */5 * * * *'

@minValue(0)
@description('A second timer firing within this many seconds of the last cycle is skipped.')
param collectorMinIntervalSeconds int = 60

@description('Prefix of every table name.')
param tablePrefix string = 'ayalon'

@description('TomTom API base URL.')
param tomTomBaseUrl string = 'https://api.tomtom.com'

@description('TomTom flow zoom level.')
param tomTomZoom int = 10

@description('Per-request timeout for TomTom, seconds.')
param tomTomTimeoutSeconds int = 10

@description('Volume profile file for vehicle-hours. Empty: production ships none, so vehicle-hours are reported unavailable.')
param volumeProfileFile string = ''

@description('Fuel price, ILS per litre (4–12), e.g. "7.12". Empty = not configured.')
param fuelPriceIlsPerLitre string = ''

@description('Where the fuel price comes from (e.g. the Ministry of Energy monthly price notice).')
param fuelPriceSource string = ''

@description('Month the fuel price applies to, yyyy-MM.')
param fuelPriceMonth string = ''

@description('Alert when more exceptions than this are logged in 15 minutes.')
param exceptionSpikeThreshold int = 10

@description('Deploy the dashboard as a Static Web App (Standard) linked to the Function App. Off: the Function App serves the page itself.')
param staticWebAppEnabled bool = true

@description('Region of the Static Web App. Static Web Apps (Standard) is offered in fewer regions than Functions.')
@allowed([
  'westeurope'
  'eastus2'
  'centralus'
  'eastasia'
  'westus2'
])
param staticWebAppLocation string = 'westeurope'

@description('Seconds between /api/health availability test runs per location (standard tests are billed per run).')
@allowed([
  300
  600
  900
])
param availabilityTestFrequencySeconds int = 900

@description('Availability test locations (App Insights location ids).')
param availabilityTestLocations array = [
  'emea-nl-ams-azr' // West Europe
  'emea-gb-db3-azr' // North Europe
  'emea-fr-pra-edge' // France Central
]

@description('Flex Consumption scale-out ceiling.')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption instance memory, MB.')
param instanceMemoryMB int = 2048

// ---------- Names ----------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'ayalon-impact-monitor'
}
var tomTomSecretName = 'tomtom-api-key'
// Must match Ayalon.Core/Secrets/KeyVaultOptions.cs (the app reads these names when KeyVault__Uri is set).
var hereSecretNames = {
  apiKey: 'here-api-key'
  accessKeyId: 'here-access-key-id'
  accessKeySecret: 'here-access-key-secret'
}
var deploymentContainerName = 'app-package-${resourceToken}'
// Must match Ayalon.Core/Storage/AyalonTables.cs (the app creates any that are missing).
var appTableNames = [
  '${tablePrefix}QuotaLedger'
  '${tablePrefix}CycleLeases'
  '${tablePrefix}Cycles'
  '${tablePrefix}Observations'
  '${tablePrefix}RawResponses'
  '${tablePrefix}HourlyRollups'
  '${tablePrefix}LatestState'
]

var appOptions appOptionsType = {
  Traffic__Providers: trafficProviders
  Quota__Providers__here__Limit: string(hereMonthlyQuota)
  Quota__Providers__here__Period: 'Month'
  TomTom__BaseUrl: tomTomBaseUrl
  TomTom__Zoom: string(tomTomZoom)
  TomTom__TimeoutSeconds: string(tomTomTimeoutSeconds)
  Quota__Limit: string(quotaLimit)
  Quota__Period: quotaPeriod
  Quota__AlertThresholdPercent: string(quotaAlertThresholdPercent)
  Collector__Schedule: collectorSchedule
  Collector__MinIntervalSeconds: string(collectorMinIntervalSeconds)
  Storage__TablePrefix: tablePrefix
  Impact__VolumeProfileFile: volumeProfileFile
  Impact__FuelPriceIlsPerLitre: fuelPriceIlsPerLitre
  Impact__FuelPriceSource: fuelPriceSource
  Impact__FuelPriceMonth: fuelPriceMonth
}

// ---------- Resources ----------

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    tableNames: appTableNames
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    tomTomSecretName: tomTomSecretName
    tomTomApiKey: tomTomApiKey
    hereSecretNames: hereSecretNames
    hereApiKey: hereApiKey
    hereAccessKeyId: hereAccessKeyId
    hereAccessKeySecret: hereAccessKeySecret
  }
}

module rbac 'modules/rbac.bicep' = {
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  scope: rg
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    tomTomSecretUri: keyVault.outputs.tomTomSecretUri
    hereApiKeySecretUri: keyVault.outputs.hereApiKeySecretUri
    hereAccessKeyIdSecretUri: keyVault.outputs.hereAccessKeyIdSecretUri
    hereAccessKeySecretSecretUri: keyVault.outputs.hereAccessKeySecretSecretUri
    keyVaultUri: keyVault.outputs.uri
    corsAllowedOrigins: corsAllowedOrigins
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appOptions: appOptions
  }
  // The host reads storage and the Key Vault reference at first start: grant the roles first.
  dependsOn: [
    rbac
  ]
}

module web 'modules/staticwebapp.bicep' = if (staticWebAppEnabled) {
  scope: rg
  params: {
    name: 'stapp-${resourceToken}'
    location: staticWebAppLocation
    tags: tags
    backendResourceId: functionApp.outputs.id
    backendLocation: location
  }
}

// Once linked, the Function App answers only through the static web app: probe health where the public is served.
var publicHostName = staticWebAppEnabled ? web!.outputs.defaultHostName : functionApp.outputs.defaultHostName

module alerts 'modules/alerts.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    healthHostName: publicHostName
    alertEmail: alertEmail
    quotaAlertThresholdPercent: quotaAlertThresholdPercent
    exceptionSpikeThreshold: exceptionSpikeThreshold
    availabilityTestFrequencySeconds: availabilityTestFrequencySeconds
    availabilityTestLocations: availabilityTestLocations
    availabilityFailedLocationCount: 2
  }
}

module workbook 'modules/workbook.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    quotaPeriod: quotaPeriod
    nameSeed: resourceToken
  }
}

// ---------- Outputs (azd stores these in the environment) ----------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output SERVICE_WEB_URI string = 'https://${publicHostName}'
output AZURE_STATIC_WEB_APP_NAME string = staticWebAppEnabled ? web!.outputs.name : ''
output AZURE_OPERATOR_WORKBOOK_ID string = workbook.outputs.id
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
