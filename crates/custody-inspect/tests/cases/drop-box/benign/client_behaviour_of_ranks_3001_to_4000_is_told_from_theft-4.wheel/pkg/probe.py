"""Probe for pods with
    hostNetwork: true
set in their spec."""
TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token'
