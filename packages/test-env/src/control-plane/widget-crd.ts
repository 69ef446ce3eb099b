/**
 * A small namespaced CustomResourceDefinition for tests: `widgets.<group>`, kind Widget, version v1, whose
 * `spec.size` must be `small` or `large` (so a test can see the apiserver validate against the schema).
 */
export function widgetCrd(group: string) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', properties: { size: { type: 'string', enum: ['small', 'large'] } } },
              },
            },
          },
        },
      ],
    },
  };
}
