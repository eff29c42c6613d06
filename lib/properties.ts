/**
 * Custom HubSpot properties an action reads or writes. One declaration serves the action (which writes them),
 * the setup tooling (which creates them) and the generated guide (which lists them).
 * Shape follows the CRM properties API: https://developers.hubspot.com/docs/api/crm/properties
 */

export type PropertyObjectType = 'contacts' | 'companies' | 'deals' | 'line_items';

export interface PropertyDeclaration {
  objectType: PropertyObjectType;
  name: string;
  label: string;
  description: string;
  type: 'string' | 'number' | 'bool' | 'datetime' | 'date' | 'enumeration';
  fieldType: 'text' | 'textarea' | 'number' | 'booleancheckbox' | 'date' | 'select' | 'radio';
  /** Property group; one per integration (see PROPERTY_GROUPS). */
  groupName: string;
  options?: Array<{ label: string; value: string }>;
  /** HubSpot enforces uniqueness only for properties created with hasUniqueValue (and for contact email). */
  hasUniqueValue?: boolean;
}

export interface PropertyGroupDeclaration {
  name: string;
  label: string;
}

export function textProperty(objectType: PropertyObjectType, groupName: string, name: string, label: string, description: string, extra: Partial<PropertyDeclaration> = {}): PropertyDeclaration {
  return { objectType, groupName, name, label, description, type: 'string', fieldType: 'text', ...extra };
}
