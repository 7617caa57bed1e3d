// The one user-assigned identity the Function App uses for storage, Key Vault and App Insights ingestion.
// User-assigned (not system-assigned) so role assignments exist before the app first starts.

@description('Name of the user-assigned managed identity.')
param name string

param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
