// Key Vault (RBAC, purge protection) holding the provider credentials: the TomTom API key and, when given, HERE's
// API key or OAuth access key id + secret. The app reads them itself (KeyVault__Uri) and through Key Vault reference
// app settings, resolved by the platform with the user-assigned identity.

param name string
param location string
param tags object

@description('Name of the secret holding the TomTom API key.')
param tomTomSecretName string

@secure()
@description('The TomTom API key. Never logged, never output.')
param tomTomApiKey string

@description('Secret names for the HERE credentials: { apiKey, accessKeyId, accessKeySecret }.')
param hereSecretNames object

@secure()
@description('HERE API key; empty = no secret.')
param hereApiKey string

@secure()
@description('HERE OAuth access key id; a secret only together with hereAccessKeySecret.')
param hereAccessKeyId string

@secure()
@description('HERE OAuth access key secret; a secret only together with hereAccessKeyId.')
param hereAccessKeySecret string

var createHereApiKey = !empty(hereApiKey)
// Half a pair would be an unusable credential: neither half is stored.
var createHereOAuth = !empty(hereAccessKeyId) && !empty(hereAccessKeySecret)

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource tomTomSecret 'secrets' = {
    name: tomTomSecretName
    properties: {
      value: tomTomApiKey
      contentType: 'text/plain'
      attributes: {
        enabled: true
      }
    }
  }

  resource hereApiKeySecret 'secrets' = if (createHereApiKey) {
    name: hereSecretNames.apiKey
    properties: {
      value: hereApiKey
      contentType: 'text/plain'
      attributes: {
        enabled: true
      }
    }
  }

  resource hereAccessKeyIdSecret 'secrets' = if (createHereOAuth) {
    name: hereSecretNames.accessKeyId
    properties: {
      value: hereAccessKeyId
      contentType: 'text/plain'
      attributes: {
        enabled: true
      }
    }
  }

  resource hereAccessKeySecretSecret 'secrets' = if (createHereOAuth) {
    name: hereSecretNames.accessKeySecret
    properties: {
      value: hereAccessKeySecret
      contentType: 'text/plain'
      attributes: {
        enabled: true
      }
    }
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
// The version-less URI: a Key Vault reference to it follows the newest version, so a rotated key is picked up
// without a redeploy (the platform re-reads references within 24 h, or at once on restart).
output tomTomSecretUri string = vault::tomTomSecret.properties.secretUri
// Empty when the secret was not created by this deployment: the matching app setting is then left empty.
output hereApiKeySecretUri string = createHereApiKey ? vault::hereApiKeySecret!.properties.secretUri : ''
output hereAccessKeyIdSecretUri string = createHereOAuth ? vault::hereAccessKeyIdSecret!.properties.secretUri : ''
output hereAccessKeySecretSecretUri string = createHereOAuth ? vault::hereAccessKeySecretSecret!.properties.secretUri : ''
