// Key Vault (RBAC, purge protection) holding the TomTom API key. The app reads it through a Key Vault
// reference app setting, resolved by the platform with the user-assigned identity.

param name string
param location string
param tags object

@description('Name of the secret holding the TomTom API key.')
param tomTomSecretName string

@secure()
@description('The TomTom API key. Never logged, never output.')
param tomTomApiKey string

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
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
// The version-less URI: a Key Vault reference to it follows the newest version, so a rotated key is picked up
// without a redeploy (the platform re-reads references within 24 h, or at once on restart).
output tomTomSecretUri string = vault::tomTomSecret.properties.secretUri
