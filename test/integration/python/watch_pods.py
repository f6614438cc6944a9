# The official Python client (Debian's python3-kubernetes) watching pods: it lists,
# then calls list_namespaced_pod with watch=True (the query carries "watch=True").
# Prints "READY" once watching, then one "TYPE name" line per event; exits after
# the DELETED event of the pod named on the command line.
#   python3 watch_pods.py KUBECONFIG NAMESPACE POD
import sys

from kubernetes import client, config, watch

kubeconfig, namespace, pod = sys.argv[1:4]
config.load_kube_config(config_file=kubeconfig)
v1 = client.CoreV1Api()
rv = v1.list_namespaced_pod(namespace).metadata.resource_version
print("READY", flush=True)
w = watch.Watch()
for event in w.stream(v1.list_namespaced_pod, namespace, resource_version=rv, timeout_seconds=60):
    name = event["object"].metadata.name
    print(event["type"], name, flush=True)
    if event["type"] == "DELETED" and name == pod:
        w.stop()
