import { readFileSync } from 'node:fs';

/** Just enough typing to walk a CloudFormation template in assertions. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface Resource {
  Type: string;
  Properties: Record<string, Json>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
}
export interface Template {
  Resources: Record<string, Resource>;
  Conditions: Record<string, Json>;
  Outputs: Record<string, { Value: Json }>;
}

export function readTemplate(path: string): Template {
  return JSON.parse(readFileSync(path, 'utf-8')) as Template;
}

export function resource(template: Template, logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId} in the template (has: ${Object.keys(template.Resources).join(', ')})`);
  return found;
}

export function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** A policy resource as a comparable string: Fn::Sub templates as written, GetAtt as `GetAtt:Id.Attr`. */
export function resourceString(value: Json): string {
  if (typeof value === 'string') return value;
  if (isObject(value)) {
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string') return sub;
    if (Array.isArray(sub) && typeof sub[0] === 'string' && isObject(sub[1])) {
      let text = sub[0];
      for (const [name, replacement] of Object.entries(sub[1])) text = text.replaceAll(`\${${name}}`, resourceString(replacement));
      return text;
    }
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `GetAtt:${getAtt.join('.')}`;
    if (typeof value['Ref'] === 'string') return `Ref:${value['Ref']}`;
  }
  return JSON.stringify(value);
}

export interface Grant {
  effect: string;
  action: string;
  resource: string;
}

/** Every statement of an IAM role's inline policies. */
export function policyStatements(role: Resource): { [key: string]: Json }[] {
  const statements: { [key: string]: Json }[] = [];
  for (const policy of asArray(role.Properties['Policies'] as Json[] | undefined)) {
    if (!isObject(policy) || !isObject(policy['PolicyDocument'])) continue;
    for (const statement of asArray(policy['PolicyDocument']['Statement'] as Json[] | undefined)) if (isObject(statement)) statements.push(statement);
  }
  return statements;
}

/** Every (action, resource) pair an IAM role's inline policies grant. */
export function roleGrants(role: Resource): Grant[] {
  const grants: Grant[] = [];
  for (const statement of policyStatements(role)) {
    for (const action of asArray(statement['Action'] as Json)) {
      for (const target of asArray(statement['Resource'] as Json)) {
        grants.push({ effect: String(statement['Effect']), action: String(action), resource: resourceString(target) });
      }
    }
  }
  return grants;
}

const PSEUDO = /^AWS::/;

/** Logical ids a value refers to: Ref, Fn::GetAtt and `${Id}` / `${Id.Attr}` inside Fn::Sub. */
function references(value: Json, found: Set<string>, subVariables: Set<string> = new Set()): void {
  if (Array.isArray(value)) {
    value.forEach((item) => references(item, found, subVariables));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string' && !PSEUDO.test(inner)) found.add(inner);
    else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') found.add(inner[0]);
    else if (key === 'Fn::Sub') {
      const [text, variables] = Array.isArray(inner) ? [inner[0], inner[1]] : [inner, undefined];
      const local = new Set(isObject(variables) ? Object.keys(variables) : []);
      if (variables !== undefined) references(variables, found);
      if (typeof text === 'string') {
        for (const match of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g)) {
          if (!local.has(match[1]!) && !subVariables.has(match[1]!)) found.add(match[1]!);
        }
      }
    } else references(inner, found, subVariables);
  }
}

/** What each resource depends on (references and DependsOn), as CloudFormation orders creation. */
export function dependencyGraph(template: Template): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [id, res] of Object.entries(template.Resources)) {
    const found = new Set<string>(asArray(res.DependsOn));
    // DefinitionSubstitutions' values are references like any other property.
    references(res.Properties as Json, found);
    graph.set(id, new Set([...found].filter((target) => target in template.Resources)));
  }
  return graph;
}

/** A dependency cycle (the ids in order), or undefined: CloudFormation refuses a template with one. */
export function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const next of graph.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of graph.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}
