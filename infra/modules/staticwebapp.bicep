// The dashboard as an Azure Static Web App (Standard: the tier that can link a backend). The Function App is linked
// as its backend, so the page and /api/* share one origin (no CORS). Linking makes the platform accept calls to the
// Function App only through the static web app (App Service authentication set by the link), which is why the
// availability test probes /api/health through this site when it exists.
// Headers and CSP: Ayalon.Functions/wwwroot/staticwebapp.config.json (the same set the app sends; a test compares them).

param name string

@description('Static Web Apps regions are fewer than Functions regions; the Standard plan is offered in these.')
@allowed([
  'westeurope'
  'eastus2'
  'centralus'
  'eastasia'
  'westus2'
])
param location string

param tags object

@description('Resource id of the Function App to link as the /api backend.')
param backendResourceId string

@description('Region of the Function App (the link names it).')
param backendLocation string

resource site 'Microsoft.Web/staticSites@2025-03-01' = {
  name: name
  location: location
  // azd deploys the `web` service (azure.yaml) to the resource carrying this tag.
  tags: union(tags, { 'azd-service-name': 'web' })
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // Content is uploaded by azd / the SWA CLI with the deployment token, not built from a repository.
    provider: 'Custom'
    stagingEnvironmentPolicy: 'Disabled'
    allowConfigFileUpdates: true
  }
}

resource backend 'Microsoft.Web/staticSites/linkedBackends@2025-03-01' = {
  parent: site
  name: 'api'
  properties: {
    backendResourceId: backendResourceId
    region: backendLocation
  }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostname
output uri string = 'https://${site.properties.defaultHostname}'
