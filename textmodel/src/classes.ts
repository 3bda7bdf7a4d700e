/**
 * The 27 Rakuten France product-type codes, with the names the community uses (Rakuten never
 * published any) and each class's share of the 84,916 training rows.
 */
export interface ProductClass {
  code: number;
  name: string;
  englishName: string;
  trainingRows: number;
}

export const productClasses: readonly ProductClass[] = [
  { code: 2583, name: 'Piscine et accessoires', englishName: 'Pool & spa equipment', trainingRows: 10209 },
  { code: 1560, name: 'Mobilier intérieur', englishName: 'Indoor furniture, bedding', trainingRows: 5073 },
  { code: 1300, name: 'Modélisme, drones', englishName: 'Models, RC vehicles, drones', trainingRows: 5045 },
  { code: 2060, name: 'Décoration intérieure', englishName: 'Home decoration, lighting', trainingRows: 4993 },
  {
    code: 2522,
    name: 'Papeterie, fournitures de bureau',
    englishName: 'Stationery, office supplies',
    trainingRows: 4989,
  },
  { code: 1280, name: 'Jouets enfants, peluches', englishName: "Children's toys", trainingRows: 4870 },
  {
    code: 2403,
    name: 'Livres, BD, magazines en lots',
    englishName: 'Books, comics, magazines in lots',
    trainingRows: 4774,
  },
  {
    code: 2280,
    name: 'Revues et journaux',
    englishName: 'Magazines, newspapers (back issues)',
    trainingRows: 4760,
  },
  { code: 1920, name: 'Linge de maison', englishName: 'Household linen', trainingRows: 4303 },
  { code: 1160, name: 'Cartes à collectionner', englishName: 'Trading cards', trainingRows: 3953 },
  { code: 1320, name: 'Puériculture', englishName: 'Baby and childcare', trainingRows: 3241 },
  { code: 10, name: "Livres d'occasion", englishName: 'Used books', trainingRows: 3116 },
  { code: 2705, name: 'Livres neufs', englishName: 'New books', trainingRows: 2761 },
  {
    code: 1140,
    name: 'Figurines, produits dérivés',
    englishName: 'Figurines, collectibles',
    trainingRows: 2671,
  },
  { code: 2582, name: 'Mobilier de jardin', englishName: 'Garden furniture', trainingRows: 2589 },
  { code: 40, name: 'Jeux vidéo', englishName: 'Video games', trainingRows: 2508 },
  { code: 2585, name: 'Bricolage, outillage', englishName: 'DIY, garden tools', trainingRows: 2496 },
  { code: 1302, name: "Jeux d'extérieur", englishName: 'Outdoor games', trainingRows: 2491 },
  { code: 1281, name: 'Jeux de société', englishName: 'Board and card games', trainingRows: 2070 },
  { code: 50, name: 'Accessoires de jeux vidéo', englishName: 'Gaming accessories', trainingRows: 1681 },
  {
    code: 2462,
    name: "Jeux vidéo d'occasion, lots",
    englishName: 'Used games, console bundles',
    trainingRows: 1421,
  },
  { code: 2905, name: 'Jeux PC en téléchargement', englishName: 'PC games (downloads)', trainingRows: 872 },
  { code: 60, name: 'Consoles', englishName: 'Game consoles', trainingRows: 832 },
  { code: 2220, name: 'Animalerie', englishName: 'Pet supplies', trainingRows: 824 },
  {
    code: 1301,
    name: 'Chaussettes bébé, jeux de bar',
    englishName: 'Baby socks, bar games',
    trainingRows: 807,
  },
  { code: 1940, name: 'Épicerie', englishName: 'Food, grocery', trainingRows: 803 },
  {
    code: 1180,
    name: 'Jeux de rôle, wargames',
    englishName: 'Tabletop RPG and wargame miniatures',
    trainingRows: 764,
  },
];

const byCode = new Map(productClasses.map((productClass) => [productClass.code, productClass]));

export function classByCode(code: number): ProductClass | undefined {
  return byCode.get(code);
}
