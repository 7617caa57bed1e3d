// The operator's workbook (Azure Monitor → Workbooks, or the Application Insights component → Workbooks): cycles by
// status, provider latency and status by provider, quota against its pace, data age, delay by direction, alerts
// fired. The content is infra/workbooks/operator.workbook.json; its queries use only the names in
// Ayalon.Functions/Telemetry/TelemetryNames.cs (a test checks them). Placeholders are filled here.

param location string
param tags object

@description('Resource id of the Application Insights component the workbook reads (and is listed under).')
param applicationInsightsId string

@description('Default of the workbook\'s quota-period picker (the ledger\'s Quota__Period).')
@allowed([
  'Day'
  'Month'
])
param quotaPeriod string

@description('Stable seed for the workbook\'s resource name (a GUID).')
param nameSeed string

var content = loadTextContent('../workbooks/operator.workbook.json')
var serialized = replace(
  replace(
    replace(
      replace(content, '__APP_INSIGHTS_ID__', applicationInsightsId),
      '__QUOTA_PERIOD__',
      quotaPeriod
    ),
    '__SUBSCRIPTION_ID__',
    subscription().subscriptionId
  ),
  '__RESOURCE_GROUP__',
  resourceGroup().name
)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook names must be GUIDs; deterministic so a re-deployment updates the same workbook.
  name: guid(nameSeed, 'operator-workbook')
  location: location
  tags: union(tags, {
    'hidden-title': 'Ayalon Impact Monitor — operator'
  })
  kind: 'shared'
  properties: {
    displayName: 'Ayalon Impact Monitor — operator'
    description: 'Collector health over weeks: cycles, provider latency and status, quota pace, data age, delay, alerts.'
    category: 'workbook'
    // Lower case: the portal lists a workbook under its resource only when the ids match exactly.
    sourceId: toLower(applicationInsightsId)
    version: 'Notebook/1.0'
    serializedData: serialized
  }
}

output id string = workbook.id
output name string = workbook.name
