import { defineRule, displayName, resourceTypeLabel } from '../src/index.js';

export default defineRule({
  id: 'cross-project-public-only',
  description:
    'A reference from another dbt project (dbt Mesh) goes only to a model with access: public.',
  category: 'boundaries',
  scope: 'edge',
  reach: 'neighbours',
  resourceTypes: ['model'],
  severity: 'error',
  recommended: true,
  identity: ['target'],
  messages: {
    private:
      "{{childType}} '{{child}}' of project {{childProject}} references '{{parent}}' of project {{parentProject}}, a private model: only public models can be referenced from another project. Have {{parentProject}} make '{{parent}}' `access: public` with an enforced contract, or stop referencing it and use a public model of {{parentProject}}.",
    protected:
      "{{childType}} '{{child}}' of project {{childProject}} references '{{parent}}' of project {{parentProject}}, a protected model: only public models can be referenced from another project. Have {{parentProject}} make '{{parent}}' `access: public` with an enforced contract, or stop referencing it and use a public model of {{parentProject}}.",
  },
  check({ parent, child }, context) {
    if (child.resourceType === 'test' || child.resourceType === 'unit_test') return;
    if (parent.projectName === child.projectName) return;
    const access = parent.access ?? 'protected';
    if (access === 'public') return;
    // A node injected or stood in for another project whose own files are not loaded: the
    // loaders write `protected` when its access is unknown (a manifest without an access field,
    // a ref into a package that is not installed), so only an explicit `private` is judged.
    if (parent.external && access !== 'private') return;
    context.report({
      messageId: access === 'private' ? 'private' : 'protected',
      data: {
        childType: resourceTypeLabel(child.resourceType, true),
        child: displayName(child),
        childProject: child.projectName,
        parent: displayName(parent),
        parentProject: parent.projectName,
        access,
        target: parent.uniqueId,
      },
      related: [parent.uniqueId],
    });
  },
});
