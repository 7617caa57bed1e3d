// Operator alerts, all routed to one action group (email). Log-search rules query the App Insights component
// (customMetrics / exceptions); the availability rule uses the standard web test's location criterion.
// Each alert's meaning and runbook: docs/OPERATIONS.md, section "Alerts".

param location string
param tags object

@description('Name prefix/suffix for the alert resources.')
param resourceToken string

param applicationInsightsId string

@description('Public host name serving /api/health: the static web app when deployed (a linked Function App answers only through it), else the Function App.')
param healthHostName string

@description('Email address that receives every alert.')
param alertEmail string

@description('Alert when the quota ledger reports more than this share of the period\'s limit used.')
param quotaAlertThresholdPercent int

@description('Alert when more exceptions than this are logged within 15 minutes.')
param exceptionSpikeThreshold int

@description('Seconds between availability test runs from each location.')
param availabilityTestFrequencySeconds int

@description('Availability test locations (App Insights location ids). At least 3, so "2 or more failing" is meaningful.')
@minLength(3)
param availabilityTestLocations array

@description('The availability alert fires when at least this many locations fail at once.')
@minValue(2)
param availabilityFailedLocationCount int

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'ayalonops'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// 1. The collector stopped producing usable data. `ok` and `partial` cycles count as success; `failed` and
// `skipped` do not. Empty result (no rows at all) also yields 0 and fires.
resource noSuccessfulCycleAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-no-successful-cycle-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Ayalon: no successful collection cycle for 20 minutes'
    description: 'No collection cycle with status ok or partial in the last 20 minutes (4 scheduled cycles missed). Runbook: docs/OPERATIONS.md#alert-no-successful-cycle'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT20M'
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == "Ayalon.CyclesCompleted"
| extend CycleStatus = tostring(customDimensions.CycleStatus)
| where CycleStatus in ("ok", "partial")
| summarize SuccessfulCycles = count()
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'SuccessfulCycles'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        runbook: 'docs/OPERATIONS.md#alert-no-successful-cycle'
      }
    }
  }
}

// 2. The provider quota is nearly spent (the ledger refuses requests at 100%).
resource quotaAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-quota-used-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Ayalon: provider quota above ${quotaAlertThresholdPercent}% (ahead of pace when paced)'
    description: 'The quota ledger reports more than ${quotaAlertThresholdPercent}% of a provider\'s request limit for its period used and, for a paced monthly provider, more than its pace allows by now (split by Provider). Runbook: docs/OPERATIONS.md#alert-quota-used'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == "Ayalon.QuotaAlert"
| extend Provider = tostring(customDimensions.Provider)
| extend Provider = iff(isempty(Provider), "unknown", Provider)
| summarize QuotaAlert = max(valueMax) by Provider
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'QuotaAlert'
          dimensions: [
            {
              name: 'Provider'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          // The app decides "above the threshold (and ahead of pace when paced)" once, in the ledger: 1 or 0.
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        runbook: 'docs/OPERATIONS.md#alert-quota-used'
      }
    }
  }
}

// 3. A provider refuses the credentials (auth_error) or has no data for the corridor (no_coverage). Split by
// provider and status so the email says which. Provider calls recorded before the metric carried a Provider
// dimension count as "unknown" rather than vanishing from the alert.
resource providerStatusAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-provider-auth-or-coverage-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Ayalon: provider auth_error or no_coverage'
    description: 'A traffic provider (HERE, TomTom; split by Provider) answered auth_error (credentials rejected) or no_coverage (no traffic data for the corridor) in the last 15 minutes. Runbook: docs/OPERATIONS.md#alert-provider-auth_error-or-no_coverage'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == "Ayalon.ProviderCalls"
| extend ProviderStatus = tostring(customDimensions.ProviderStatus), Provider = tostring(customDimensions.Provider)
| extend Provider = iff(isempty(Provider), "unknown", Provider)
| where ProviderStatus in ("auth_error", "no_coverage")
| summarize ProviderCalls = sum(valueCount) by Provider, ProviderStatus
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'ProviderCalls'
          dimensions: [
            {
              name: 'Provider'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'ProviderStatus'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        runbook: 'docs/OPERATIONS.md#alert-provider-auth_error-or-no_coverage'
      }
    }
  }
}

// 4. Exceptions spike (unhandled or logged with an exception) in the worker.
resource exceptionSpikeAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-exception-spike-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Ayalon: exception spike'
    description: 'More than ${exceptionSpikeThreshold} exceptions in 15 minutes. Runbook: docs/OPERATIONS.md#alert-exception-spike'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: '''
exceptions
| summarize Exceptions = sum(itemCount)
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'Exceptions'
          operator: 'GreaterThan'
          threshold: exceptionSpikeThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        runbook: 'docs/OPERATIONS.md#alert-exception-spike'
      }
    }
  }
}

// 5. /api/health from outside: 200 only while healthy or degraded (data younger than 30 min).
resource healthWebTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: 'webtest-health-${resourceToken}'
  location: location
  // The hidden-link tag ties the test to its component; without it the portal and the metric do not show it.
  tags: union(tags, {
    'hidden-link:${applicationInsightsId}': 'Resource'
  })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: 'webtest-health-${resourceToken}'
    Name: 'Ayalon /api/health'
    Description: 'GET https://${healthHostName}/api/health expecting 200 (healthy or degraded).'
    Enabled: true
    Frequency: availabilityTestFrequencySeconds
    Timeout: 30
    Kind: 'standard'
    RetryEnabled: true
    Locations: [
      for locationId in availabilityTestLocations: {
        Id: locationId
      }
    ]
    Request: {
      RequestUrl: 'https://${healthHostName}/api/health'
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource availabilityAlert 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-health-availability-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    description: '/api/health failed from ${availabilityFailedLocationCount} or more test locations. Runbook: docs/OPERATIONS.md#alert-health-availability'
    severity: 1
    enabled: true
    scopes: [
      healthWebTest.id
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthWebTest.id
      componentId: applicationInsightsId
      failedLocationCount: availabilityFailedLocationCount
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
        webHookProperties: {
          runbook: 'docs/OPERATIONS.md#alert-health-availability'
        }
      }
    ]
  }
}

output actionGroupId string = actionGroup.id
output webTestId string = healthWebTest.id
