export function checkStructure(root: string): string[];
export function importsOf(source: string): string[];
