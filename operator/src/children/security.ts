import type { V1Container, V1PodSpec } from '@kubernetes/client-node';

/** The images' `node` user (uid 1000): numeric, so the kubelet can enforce runAsNonRoot. */
const imageUser = 1000;

/** Pod-level hardening of every Job and Deployment the operator creates (the restricted Pod Security profile). */
export const restrictedPod: Pick<V1PodSpec, 'securityContext' | 'volumes'> = {
  securityContext: {
    runAsNonRoot: true,
    runAsUser: imageUser,
    runAsGroup: imageUser,
    seccompProfile: { type: 'RuntimeDefault' },
  },
  // The root filesystem is read-only; Node and its libraries may still want a scratch /tmp.
  volumes: [{ name: 'tmp', emptyDir: {} }],
};

export const restrictedContainer: Pick<V1Container, 'securityContext' | 'volumeMounts'> = {
  securityContext: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  },
  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
};
