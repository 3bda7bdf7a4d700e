# `make kind-up`: prodclass on a local kind cluster, for machines with Docker, kind, kubectl and
# helm (see docs/install.md, "kind"). `make kind-down` deletes the cluster.

CLUSTER := prodclass
NAMESPACE := prodclass-system
VERSION := 0.1.0
IMAGES := operator model-server trainer-job console

.PHONY: kind-up kind-down images

kind-up: images
	kind get clusters | grep -qx $(CLUSTER) || kind create cluster --config kind-config.yaml
	for image in $(IMAGES); do kind load docker-image --name $(CLUSTER) prodclass/$$image:$(VERSION); done
	helm upgrade --install prodclass charts/prodclass --namespace $(NAMESPACE) --create-namespace --wait --timeout 10m
	# The first load and training run; the chart's PredictionService serves the promoted model.
	kubectl --namespace $(NAMESPACE) apply \
	  -f manifests/samples/01-dataincrement-initial.yaml \
	  -f manifests/samples/02-trainingrun.yaml
	@echo "prodclass runs in kind-$(CLUSTER); watch it: kubectl -n $(NAMESPACE) get prodclass"

images:
	for image in $(IMAGES); do docker build -f $$image/Dockerfile -t prodclass/$$image:$(VERSION) . || exit 1; done

kind-down:
	kind delete cluster --name $(CLUSTER)
