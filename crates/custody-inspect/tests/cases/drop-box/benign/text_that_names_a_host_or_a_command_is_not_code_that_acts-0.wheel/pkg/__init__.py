DESC = "e.g. {'budget_alerts': 'https://nothooks.slack.com/services/T00000000/B00000000/XXXXXXXX'}"
